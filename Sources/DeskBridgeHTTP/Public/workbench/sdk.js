// The agent Web SDK (Tencent's `window.tccc`), served at an SdkURL inside a function that has
// set DESKBRIDGE_SDK = {signIn, agentId} (or {signIn: null, error}). It runs on the business's
// own page and origin, so it authenticates with a bearer sign-in, never a cookie.
const base = new URL(document.currentScript ? document.currentScript.src : location.href).origin;
const listeners = {};
const fired = new Set();
let status = "offline";
let ready = false;
let known = new Map();   // sessionId → state, as last read
let endedHere = new Set();
let panel = null, floatButton = null, list = null;

const events = {
  ready: "ready", tokenExpired: "tokenExpired", callIn: "callIn", userAccessed: "userAccessed", autoTransfer: "autoTransfer",
  sessionEnded: "sessionEnded", transfer: "transfer", statusChanged: "statusChanged",
};
// The seed's statuses; the desk keeps them as its four plus a reason (README, "Agent statuses").
const statuses = new Set(["free", "busy", "arrange", "notReady", "rest", "stopNotReady"]);

function emit(event, payload) {
  if (event === events.ready || event === events.tokenExpired) fired.add(event);
  for (const callback of listeners[event] || []) setTimeout(() => callback(payload), 0);
}

function on(event, callback) {
  (listeners[event] = listeners[event] || []).push(callback);
  // `ready` (and `tokenExpired`) reach a listener registered after they happened, too.
  if (fired.has(event)) setTimeout(() => callback(event === events.tokenExpired ? { message: DESKBRIDGE_SDK.error } : {}), 0);
}

function off(event, callback) { listeners[event] = (listeners[event] || []).filter((c) => c !== callback); }

async function call(method, path, body) {
  const response = await fetch(base + path, {
    method, credentials: "omit",
    headers: { Authorization: `Bearer ${DESKBRIDGE_SDK.signIn}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
}

/// Every SDK call answers a Promise of {status: 'success'} or {status: 'error', errorMsg}.
async function result(work) {
  try { await work(); return { status: "success" }; } catch (e) { return { status: "error", errorMsg: e.message }; }
}

async function read() {
  const [me, sessions] = await Promise.all([call("GET", "/workbench/api/me"), call("GET", "/workbench/api/sessions")]);
  const now = me.seatStatus || "offline";
  if (now !== status) { status = now; if (ready) emit(events.statusChanged, { status }); }
  const current = new Map(sessions.sessions.map((s) => [s.sessionId, s]));
  for (const [id, s] of current) {
    const before = known.get(id);
    if (s.state === "WaitingForAgentAnswering" && (!before || before.state !== s.state)) {
      emit(events.callIn, { sessionId: id, type: "im", timeout: Math.max(0, Math.round(((s.offerExpiresAt || Date.now()) - Date.now()) / 1000)),
                            nickname: s.userName, avatar: "", peerSource: s.clientUserId.startsWith("web_") ? "web" : "gbm", channelName: "", clientData: "" });
    }
    if (s.state === "Agent" && (!before || before.state !== "Agent")) emit(events.userAccessed, { sessionId: id });
  }
  for (const [id, before] of known) {
    if (current.has(id)) continue;
    if (before.state === "WaitingForAgentAnswering") { emit(events.autoTransfer, { sessionId: id }); continue; }
    const transcript = await call("GET", `/workbench/api/transcript?sessionId=${encodeURIComponent(id)}`).catch(() => null);
    if (transcript && transcript.state !== "Ended") emit(events.transfer, { sessionId: id });
    else emit(events.sessionEnded, { sessionId: id, closeBy: (transcript && transcript.closeBy) || (endedHere.has(id) ? "seat" : "client") });
  }
  known = current;
  renderPanel(sessions.sessions);
}

function renderPanel(sessions) {
  if (!list) return;
  list.replaceChildren(...sessions.map((s) => {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = `${s.userName} — ${s.state === "Agent" ? "with you" : "offered"}`;
    item.append(name);
    if (s.state === "WaitingForAgentAnswering") {
      const accept = document.createElement("button");
      accept.type = "button";
      accept.textContent = "Accept";
      accept.addEventListener("click", () => tccc.Chat.accept({ sessionId: s.sessionId }));
      item.append(" ", accept);
    }
    return item;
  }));
}

/// The live stream over fetch (an EventSource cannot send the bearer), with reconnect and backoff.
async function stream(delay = 500) {
  try {
    const response = await fetch(base + "/workbench/api/events", { headers: { Authorization: `Bearer ${DESKBRIDGE_SDK.signIn}` }, credentials: "omit" });
    if (response.status === 401) { emit(events.tokenExpired, { message: "signed out" }); return; }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (/^event: (hello|change)$/m.test(block)) {
          await read().catch(() => {});
          if (!ready && /^event: hello$/m.test(block)) { ready = true; emit(events.ready, {}); }
          delay = 500;
        }
      }
    }
  } catch { /* dropped: reconnect below */ }
  setTimeout(() => stream(Math.min(delay * 2, 15000)), delay);
}

function buildUI() {
  floatButton = document.createElement("button");
  floatButton.type = "button";
  floatButton.textContent = "Desk";
  floatButton.setAttribute("data-tccc", "float-button");
  floatButton.style.cssText = "position:fixed;right:20px;bottom:20px;z-index:2147483646;padding:10px 16px;border-radius:20px;border:0;background:#2463eb;color:#fff;font:15px system-ui,sans-serif";
  panel = document.createElement("section");
  panel.setAttribute("aria-label", "Desk sessions");
  panel.setAttribute("data-tccc", "workbench");
  panel.style.cssText = "position:fixed;right:20px;bottom:70px;z-index:2147483647;width:300px;max-height:60vh;overflow:auto;background:#fff;color:#111;border:1px solid #8886;border-radius:10px;padding:8px 12px;font:14px system-ui,sans-serif;display:none";
  const title = document.createElement("strong");
  title.textContent = "Sessions";
  list = document.createElement("ul");
  list.style.cssText = "list-style:none;padding:0;margin:6px 0";
  panel.append(title, list);
  floatButton.addEventListener("click", () => { panel.style.display = panel.style.display === "none" ? "block" : "none"; });
  document.body.append(panel, floatButton);
}

const tccc = {
  events,
  on, off,
  Chat: {
    accept: ({ sessionId }) => result(() => call("POST", "/workbench/api/accept", { sessionId })),
    end: ({ sessionId }) => result(async () => { endedHere.add(sessionId); await call("POST", "/workbench/api/end", { sessionId }); }),
    transfer: ({ sessionId, skillGroupId, userId }) => result(() => call("POST", "/workbench/api/transfer",
      { sessionId, ...(userId ? { agentId: userId } : {}), ...(skillGroupId ? { groupId: Number(skillGroupId) } : {}) })),
  },
  Agent: {
    online: () => { tccc.Agent.setStatus({ status: "free" }); },
    offline: () => { result(() => call("POST", "/workbench/api/status", { status: "offline" })); },
    setStatus: ({ status: wanted, restReason } = {}) => result(async () => {
      // The seed's table spells some with a capital (Arrange, NotReady, StopNotReady).
      const name = [...statuses].find((s) => s.toLowerCase() === String(wanted).toLowerCase());
      if (!name) throw new Error(`unknown status ${wanted}`);
      await call("POST", "/workbench/api/status", { status: name, ...(restReason ? { restReason } : {}) });
      await read();
    }),
    getStatus: () => status,
  },
  UI: {
    show: () => { if (floatButton) floatButton.style.display = ""; },
    hide: () => { if (floatButton) { floatButton.style.display = "none"; panel.style.display = "none"; } },
    showWorkbench: () => { if (panel) panel.style.display = "block"; },
    hideWorkbench: () => { if (panel) panel.style.display = "none"; },
    showfloatButton: () => { if (floatButton) floatButton.style.display = ""; },
    hidefloatButton: () => { if (floatButton) floatButton.style.display = "none"; },
  },
  Devices: { isBrowserSupported: () => typeof fetch === "function" && typeof ReadableStream === "function" },
};

window.tccc = tccc;
if (!DESKBRIDGE_SDK.signIn) {
  emit(events.tokenExpired, { message: DESKBRIDGE_SDK.error });
} else {
  const start = () => { buildUI(); stream(); };
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
}
