// The website channel's chat page: the visitor's messages go to DeskBridge's pipeline; what the
// desk sends back is read from the store and rendered as text, chips, cards and images.
// Everything from the desk or the visitor goes into the DOM as text, never as HTML.
const params = new URLSearchParams(location.search);
const webAppId = params.get("webAppId") || "";
const storageKey = `deskbridge.visitor.${webAppId}`;
const visitorId = localStorage.getItem(storageKey) || crypto.randomUUID();
localStorage.setItem(storageKey, visitorId);
const query = `webAppId=${encodeURIComponent(webAppId)}&visitorId=${encodeURIComponent(visitorId)}`;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/// Sends to the desk; answers the desk's reply (JSON), or null after showing why it failed.
async function post(body) {
  document.getElementById("error").textContent = "";
  const response = await fetch("/web/im/api/messages", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ webAppId, visitorId, messageId: crypto.randomUUID(), ...body }),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    document.getElementById("error").textContent = answer.error || "Could not send; please try again.";
    return null;
  }
  return answer;
}

// Desk custom messages the page sends (seed 000): src 7 on opening, src 24 to ask for the rating card.
const custom = (src) => ({ custom: JSON.stringify({ customerServicePlugin: 0, src }) });
// The src 23 rules the desk answered src 7 with; bit 2: the visitor may ask for the rating card.
let ratingRules = 0;

function updateRateButton(items) {
  const seat = items.filter((item) => item.event === "REPRESENTATIVE_JOINED" || item.event === "REPRESENTATIVE_LEFT").pop();
  document.getElementById("rate").hidden = !((ratingRules & 4) && seat && seat.event === "REPRESENTATIVE_JOINED");
}

function render(timeline) {
  const list = document.getElementById("timeline");
  list.replaceChildren(...timeline.items.map((item) => {
    if (item.kind === "visitor") return el("li", { class: "visitor", "data-test": "visitor-message", "data-id": item.id, text: item.text });
    if (item.kind === "event") {
      const text = item.event === "REPRESENTATIVE_JOINED" ? `${item.sender || "An agent"} joined the chat`
        : item.event === "REPRESENTATIVE_LEFT" ? `${item.sender || "The agent"} left the chat` : item.event;
      return el("li", { class: "event", "data-test": "system-line", "data-id": item.id, text });
    }
    const who = el("span", { class: "who" },
      item.senderType === "HUMAN" && item.avatarImage ? el("img", { src: item.avatarImage, alt: "" }) : null,
      el("span", { "data-test": "sender", text: item.sender || (item.senderType === "BOT" ? "Assistant" : "Agent") }));
    const bubble = el("div", { class: "bubble" });
    if (item.text) bubble.append(el("span", { "data-test": "message-text", text: item.text }));
    if (item.imageUrl) bubble.append(el("img", { class: "picture", src: item.imageUrl, alt: "Image" }));
    if (item.card) bubble.append(el("div", { class: "card" },
      item.card.imageUrl ? el("img", { src: item.card.imageUrl, alt: "" }) : null,
      item.card.title ? el("strong", { text: item.card.title }) : null,
      item.card.description ? el("span", { text: item.card.description }) : null));
    const chips = item.chips ? el("div", { class: "chips" }, ...item.chips.map((chip) => chip.url
      ? el("a", { href: chip.url, target: "_blank", rel: "noopener noreferrer", text: chip.text })
      : el("button", { type: "button", "data-test": "chip", text: chip.text,
          onclick: () => post(chip.liveAgent ? { liveAgent: true } : { postbackData: chip.postbackData, text: chip.text }) }))) : null;
    return el("li", { class: "message", "data-test": "desk-message", "data-sender-type": item.senderType, "data-id": item.id }, who, bubble, chips);
  }));
  list.scrollTop = list.scrollHeight;
  updateRateButton(timeline.items);
  document.getElementById("typing").textContent = timeline.typing !== null && timeline.typing !== undefined ? `${timeline.typing || "Someone"} is typing…` : "";
}

let reading = null;
async function refresh() {
  if (reading) { reading.again = true; return; }
  reading = { again: false };
  do {
    reading.again = false;
    try {
      const response = await fetch(`/web/im/api/messages?${query}`);
      if (response.ok) render(await response.json());
    } catch { setTimeout(refresh, 2000); }
  } while (reading.again);
  reading = null;
}

function connect(delay = 500) {
  const status = document.getElementById("connection");
  const source = new EventSource(`/web/im/api/events?${query}`);
  source.addEventListener("hello", () => { status.textContent = ""; status.classList.remove("down"); status.dataset.state = "live"; refresh(); delay = 500; });
  source.addEventListener("change", () => refresh());
  source.onerror = () => {
    source.close();
    status.textContent = "Reconnecting…";
    status.classList.add("down");
    status.dataset.state = "down";
    setTimeout(() => connect(Math.min(delay * 2, 15000)), delay);
  };
}

document.getElementById("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const box = document.getElementById("text");
  const text = box.value.trim();
  if (!text) return;
  if (await post({ text })) { box.value = ""; refresh(); }
});

document.getElementById("rate").addEventListener("click", async () => { if (await post(custom("24"))) refresh(); });

let lastTyping = 0;
document.getElementById("text").addEventListener("input", () => {
  if (Date.now() - lastTyping > 5000) { lastTyping = Date.now(); post({ typing: true }); }
});
document.getElementById("text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); document.getElementById("composer").requestSubmit(); }
});

fetch(`/web/im/api/channel?webAppId=${encodeURIComponent(webAppId)}`).then((r) => r.json()).then((channel) => {
  document.getElementById("title").textContent = channel.title || "Chat";
  document.title = channel.title || "Chat";
}).catch(() => {});
// Opening the chat sends src 7; the desk answers with src 23 (the rating rules) and src 26 (the seat).
post(custom("7")).then((answer) => {
  for (const data of (answer && answer.desk) || []) {
    const message = JSON.parse(data);
    if (message.src === "23") ratingRules = Number(message.content && message.content.menuSendRuleFlag) || 0;
  }
  refresh();
});
connect();
