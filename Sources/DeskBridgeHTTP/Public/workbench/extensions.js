// Third-party extensions (desk.extensions): business pages in iframes beside the conversation.
// A page shown "only with a session" appears while one is open. Each is given the session in
// its URL (sessionId, userId, agentId) and may post the seed's ccc-sdk messages to send into it:
//   window.parent.postMessage({source: 'ccc-sdk', payload: {event: 'sendCard', message: {...}}}, '*')
// Only messages from the frames themselves, from the origin of their configured URL, are taken.
import { el } from "./render.js";

const frames = [];

export function renderExtensions(me, session) {
  const box = document.getElementById("extensions");
  if (frames.length === 0) {
    for (const page of me.extensions) {
      const section = el("section", { class: "extension", "data-test": "extension" });
      const title = el("h2", { text: page.name });
      const frame = el("iframe", { title: page.name, sandbox: "allow-scripts allow-forms allow-same-origin allow-popups", referrerpolicy: "no-referrer",
                                   "data-test": "extension-frame" });
      section.append(title, frame);
      box.append(section);
      frames.push({ page, section, frame, shownFor: undefined });
    }
  }
  for (const entry of frames) {
    const visible = entry.page.alwaysVisible || !!session;
    entry.section.hidden = !visible;
    const key = session ? session.sessionId : "";
    if (!visible || entry.shownFor === key) continue;
    entry.shownFor = key;
    const url = new URL(entry.page.url);
    if (session) {
      url.searchParams.set("sessionId", session.sessionId);
      url.searchParams.set("userId", session.clientUserId);
    }
    url.searchParams.set("agentId", me.agentId);
    entry.frame.src = url.href;
  }
}

/// The seed's three events as the send call's body.
function body(sessionId, payload) {
  const message = payload.message || {};
  switch (payload.event) {
    case "sendCard": return { sessionId, kind: "card", header: message.header, desc: message.desc, pic: message.pic, url: message.url };
    case "sendCustomMessage": return { sessionId, kind: "custom", title: message.title, description: message.description, iconUrl: message.iconUrl, extension: message.extension };
    case "sendTextMessage": return { sessionId, kind: "text", text: typeof message === "string" ? message : message.text ?? message.content };
    default: return null;
  }
}

/// Listens for the frames' messages; `send(body)` sends into the current session, if any.
export function attachExtensionBridge(currentSession, send) {
  window.addEventListener("message", async (event) => {
    const entry = frames.find((f) => f.frame.contentWindow === event.source);
    if (!entry || event.origin !== new URL(entry.page.url).origin) return;
    const data = event.data;
    if (!data || data.source !== "ccc-sdk" || !data.payload) return;
    const session = currentSession();
    const request = session ? body(session, data.payload) : null;
    let answer;
    if (!session) answer = { status: "error", errorMsg: "no session is open" };
    else if (!request) answer = { status: "error", errorMsg: `unknown event ${data.payload.event}` };
    else answer = await send(request).then(() => ({ status: "success" }), (e) => ({ status: "error", errorMsg: e.message }));
    event.source.postMessage({ source: "ccc-sdk", payload: { event: `${data.payload.event}Result`, ...answer } }, event.origin);
  });
}
