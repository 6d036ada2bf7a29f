// Builds the page from state. User and agent text goes in with textContent, never as HTML.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export function renderLists(state, actions) {
  const now = Date.now();
  const offers = state.sessions.filter((s) => s.state === "WaitingForAgentAnswering");
  const held = state.sessions.filter((s) => s.state === "Agent");
  document.getElementById("offers").replaceChildren(...offers.map((s) => {
    const seconds = Math.max(0, Math.round(((s.offerExpiresAt || now) - now) / 1000));
    return el("li", { "data-test": "offer", "data-session": s.sessionId },
      el("span", { text: s.userName }), " ",
      el("span", { class: "countdown", "data-test": "countdown", "data-until": s.offerExpiresAt || now, text: `${seconds} s` }), " ",
      el("button", { type: "button", "data-test": "accept", text: "Accept", onclick: () => actions.accept(s.sessionId) }));
  }));
  document.getElementById("sessions").replaceChildren(...held.map((s) => {
    const unread = state.unread[s.sessionId] || 0;
    return el("li", { class: s.sessionId === state.current ? "current" : "", "data-test": "session", "data-session": s.sessionId },
      el("button", { type: "button", class: "open", onclick: () => actions.open(s.sessionId) },
        el("span", { text: s.userName }), unread ? el("span", { class: "unread", "data-test": "unread", text: String(unread) }) : null));
  }));
  document.getElementById("queues").replaceChildren(...state.groups.map((g) =>
    el("li", { "data-test": "queue" }, el("span", { text: `${g.name}: ${g.waiting} waiting` }),
      ...state.queued.filter((s) => s.skillGroupId === g.id).map((s) => el("small", { class: "queued", "data-test": "queued", text: s.userName })))));
  // Proactive contact (desk.proactive): visitors with the chat open now, and those this agent served lately.
  document.getElementById("visitors-panel").hidden = !state.visitors.enabled;
  document.getElementById("visitors").replaceChildren(...state.visitors.visitors.map((v) =>
    el("li", { "data-test": "visitor", "data-user": v.clientUserId },
      el("span", { text: v.userName }), " ",
      el("small", { text: v.onPage ? "on the page now" : `served ${new Date(v.lastServedAt).toLocaleString()}` }), " ",
      el("button", { type: "button", "data-test": "contact", text: "Start chat", onclick: () => actions.contact(v.clientUserId) }))));
}

export function renderConversation(state) {
  const transcript = state.transcript;
  const title = document.getElementById("conversation-title");
  const list = document.getElementById("transcript");
  const holding = !!transcript && transcript.holder === state.me.agentId;
  title.textContent = transcript ? `${transcript.userName} — ${transcript.state}` : "No session selected";
  list.replaceChildren(...(transcript ? transcript.messages : []).map((m) => {
    const who = m.sender === "Agent" ? (m.agentId === state.me.agentId ? "You" : m.agentId) : m.sender;
    return el("li", { class: m.direction, "data-test": "message", "data-key": m.key, "data-sender": m.sender },
      el("span", { class: "who", text: who }),
      el("span", { class: "text", "data-test": "message-text", text: m.text }),
      m.pictureUrl ? el("img", { class: "picture", src: m.pictureUrl, alt: "The user's picture", "data-test": "picture" }) : null,
      m.delivery ? el("span", { class: `delivery ${m.delivery}`, "data-test": "delivery", text: m.delivery }) : null);
  }));
  list.scrollTop = list.scrollHeight;
  // The user's typing shows until its deadline (the channel says when it starts; it stops by itself).
  const typing = document.getElementById("user-typing");
  const until = transcript?.userTypingUntil || 0;
  typing.textContent = until > Date.now() ? `${transcript.userName} is typing…` : "";
  clearTimeout(renderConversation.typingTimer);
  if (until > Date.now()) renderConversation.typingTimer = setTimeout(() => { typing.textContent = ""; }, until - Date.now());
  for (const id of ["message", "send", "end", "invite-rating", "compose-kind"]) document.getElementById(id).disabled = !holding;
  for (const fields of document.querySelectorAll(".compose-fields")) fields.disabled = !holding;
  document.getElementById("transfer").disabled = !holding;
  const details = document.getElementById("details");
  details.replaceChildren(...(transcript ? [
    el("dt", { text: "User" }), el("dd", { text: transcript.userName }),
    el("dt", { text: "ClientUserId" }), el("dd", { text: transcript.clientUserId }),
    el("dt", { text: "Session" }), el("dd", { text: transcript.sessionId }),
  ] : []));
}

/// The status menu: the SDK's statuses, a short break once per rest reason (desk.restReasons).
export function renderStatuses(me) {
  const select = document.getElementById("status");
  select.replaceChildren(
    el("option", { value: "free", text: "Available" }), el("option", { value: "busy", text: "Busy" }),
    el("option", { value: "arrange", text: "Wrap-up" }), el("option", { value: "notReady", text: "Not ready" }),
    el("option", { value: "rest", text: "Rest" }),
    ...me.restReasons.map((reason) => el("option", { value: `rest:${reason}`, text: `Rest — ${reason}` })),
    el("option", { value: "offline", text: "Offline" }));
  select.value = me.seatStatus === "rest" && me.restReason ? `rest:${me.restReason}` : me.seatStatus;
}

export function renderTargets(targets) {
  const select = document.getElementById("transfer-target");
  select.replaceChildren(
    ...targets.agents.map((a) => el("option", { value: `agent:${a.agentId}`, text: `${a.nickname} — ${a.status}, ${a.load} open` })),
    ...targets.groups.map((g) => el("option", { value: `group:${g.id}`, text: `Group ${g.name} — ${g.waiting} waiting` })));
}

/// Ticks the offers' countdowns in place, so buttons (and the keyboard focus on them) stay put.
export function tickCountdowns() {
  const now = Date.now();
  for (const node of document.querySelectorAll("[data-test=countdown]")) {
    node.textContent = `${Math.max(0, Math.round((Number(node.dataset.until) - now) / 1000))} s`;
  }
}
