// The website channel's chat page. The visitor's messages go into DeskBridge's pipeline; the
// conversation is read back from the store and drawn by render.js. A visitor is anonymous (a
// random id kept in this browser) or, when the business signs its user, `userId` + `userHash`
// from the page's fragment (#userId=…&userHash=…), never sent in a URL the server logs.
import { el } from "./dom.js";
import { renderItem } from "./render.js";

const params = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));
const webAppId = params.get("webAppId") || "";
const signed = fragment.get("userId") && fragment.get("userHash") ? { userId: fragment.get("userId"), userHash: fragment.get("userHash") } : null;
const storageKey = `deskbridge.visitor.${webAppId}`;
let visitorId = null;
if (!signed) {
  visitorId = localStorage.getItem(storageKey) || crypto.randomUUID();
  localStorage.setItem(storageKey, visitorId);
}
const credentials = signed ? { webAppId, ...signed } : { webAppId, visitorId };
const query = new URLSearchParams(credentials).toString();
const $ = (id) => document.getElementById(id);

function showError(text) { $("error").textContent = text || ""; }

/// Sends to the desk; answers the desk's reply (JSON), or null after showing why it failed.
async function post(body) {
  showError("");
  try {
    const response = await fetch("/web/im/api/messages", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...credentials, messageId: crypto.randomUUID(), ...body }),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) { showError(answer.error || "Could not send; please try again."); return null; }
    return answer;
  } catch {
    showError("No connection; please try again.");
    return null;
  }
}

const act = {
  // A message ends the visitor's typing, so the next keystroke says typing again at once.
  text: async (text) => { const ok = await post({ text }); if (ok) { lastTyping = 0; refresh(); } return ok; },
  custom: async (message) => { const ok = await post({ custom: JSON.stringify(message) }); if (ok) refresh(); return ok; },
};

// The src 23 rules the desk answered src 7 with; bit 4: the visitor may ask for the rating card.
let ratingRules = 0;

// Receipts: a desk message on screen was DELIVERED; seen while the page is visible, READ.
const reportedKey = `deskbridge.receipts.${webAppId}.${signed ? signed.userId : visitorId}`;
const reported = JSON.parse(sessionStorage.getItem(reportedKey) || "{}");
let shownIds = [];
async function sendReceipts() {
  const visible = document.visibilityState === "visible";
  for (const type of visible ? ["DELIVERED", "READ"] : ["DELIVERED"]) {
    const rank = type === "READ" ? 2 : 1;
    const ids = shownIds.filter((id) => (reported[id] || 0) < rank);
    for (let start = 0; start < ids.length; start += 50) {
      const batch = ids.slice(start, start + 50);
      if (await post({ receipt: type, messageIds: batch })) for (const id of batch) reported[id] = rank;
    }
  }
  sessionStorage.setItem(reportedKey, JSON.stringify(reported));
}

let nodes = new Map();
function render(timeline) {
  const list = $("timeline");
  const answered = new Map();
  for (const item of timeline.items) {
    if (item.kind !== "visitor") continue;
    for (const element of item.elements) {
      try {
        const message = element.type === "custom" ? JSON.parse(element.data) : null;
        if (message && message.src === "10") answered.set(message.menuSelected?.sessionId, message.menuSelected?.id);
      } catch { /* not a desk message */ }
    }
  }
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  // An entry that did not change keeps its node, so a half-typed form answer and the focus survive
  // every re-read; only new or changed entries are drawn and put in place.
  const drawn = new Map();
  const wanted = [];
  for (const item of timeline.items) {
    const signature = JSON.stringify([item, item.kind === "desk" ? [...answered] : null]);
    const cached = nodes.get(item.id);
    const node = cached && cached.signature === signature ? cached.node : renderItem(item, act, answered);
    if (!node) continue;
    drawn.set(item.id, { signature, node });
    wanted.push(node);
  }
  nodes = drawn;
  const keep = new Set(wanted);
  for (const child of [...list.children]) if (!keep.has(child)) child.remove();
  wanted.forEach((node, index) => { if (list.children[index] !== node) list.insertBefore(node, list.children[index] || null); });
  if (atBottom || !render.drawn) list.scrollTop = list.scrollHeight;
  render.drawn = true;
  $("typing").textContent = timeline.typing ? `${timeline.typing} is typing…` : "";
  $("end").hidden = !timeline.inSeat;
  $("person").hidden = !timeline.withBot || !timeline.items.length;
  $("rate").hidden = !((ratingRules & 4) && timeline.inSeat);
  shownIds = timeline.items.filter((item) => item.kind === "desk").flatMap((item) => item.messageIds || []);
  sendReceipts();
}

let reading = null;
async function refresh() {
  if (reading) { reading.again = true; return; }
  reading = { again: false };
  do {
    reading.again = false;
    try {
      const response = await fetch(`/web/im/api/messages?${query}`, { cache: "no-store" });
      if (response.ok) render(await response.json());
      else showError((await response.json().catch(() => ({}))).error || "Could not load the conversation.");
    } catch { setTimeout(refresh, 2000); }
  } while (reading.again);
  reading = null;
}

// The live stream: each change of the conversation re-reads it, so a reconnection (after the
// network, the proxy or the server went away, or the phone slept) shows everything missed, once.
let source = null;
let retry = null;
function connect(delay = 500) {
  clearTimeout(retry);
  if (source) source.close();
  const status = $("connection");
  source = new EventSource(`/web/im/api/events?${query}`);
  source.addEventListener("hello", () => { status.textContent = ""; status.classList.remove("down"); status.dataset.state = "live"; refresh(); delay = 500; });
  source.addEventListener("change", () => refresh());
  source.onerror = () => {
    source.close();
    status.textContent = "Reconnecting…";
    status.classList.add("down");
    status.dataset.state = "down";
    retry = setTimeout(() => connect(Math.min(delay * 2, 15000)), delay);
  };
}
const resume = () => {
  if (!source || source.readyState === EventSource.CLOSED) connect();
  else refresh();
};
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") resume(); });
window.addEventListener("online", () => connect());
window.addEventListener("pageshow", (event) => { if (event.persisted) resume(); });

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const box = $("text");
  const text = box.value.trim();
  if (!text) return;
  if (await act.text(text)) box.value = "";
});
$("rate").addEventListener("click", () => act.custom({ customerServicePlugin: 0, src: "24" }));
$("end").addEventListener("click", () => act.custom({ customerServicePlugin: 0, src: "27" }));
$("person").addEventListener("click", async () => { if (await post({ liveAgent: true })) refresh(); });

// Pictures: uploaded to DeskBridge (type and size checked there), then sent as the visitor's message.
$("picture").addEventListener("change", async () => {
  const file = $("picture").files[0];
  $("picture").value = "";
  if (!file) return;
  showError("");
  try {
    const response = await fetch(`/web/im/api/uploads?${query}`, { method: "POST", headers: { "Content-Type": file.type || "application/octet-stream" }, body: file });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) { showError(answer.error || "Could not upload the picture."); return; }
    if (await post({ imageUrl: new URL(answer.path, location.href).href })) refresh();
  } catch { showError("No connection; please try again."); }
});

let lastTyping = 0;
$("text").addEventListener("input", () => {
  if (Date.now() - lastTyping > 5000) { lastTyping = Date.now(); post({ typing: true }); }
});
$("text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("composer").requestSubmit(); }
});

fetch(`/web/im/api/channel?webAppId=${encodeURIComponent(webAppId)}`).then((r) => r.json()).then((channel) => {
  $("title").textContent = channel.title || "Chat";
  document.title = channel.title || "Chat";
  if (channel.avatarImage) $("title").before(el("img", { class: "avatar", src: channel.avatarImage, alt: "" }));
}).catch(() => {});
// Opening the chat sends src 7; the desk answers with src 23 (the rating rules) and src 26 (the seat).
post({ custom: JSON.stringify({ customerServicePlugin: 0, src: "7" }) }).then((answer) => {
  for (const data of (answer && answer.desk) || []) {
    const message = JSON.parse(data);
    if (message.src === "23") ratingRules = Number(message.content && message.content.menuSendRuleFlag) || 0;
  }
  refresh();
});
connect();
