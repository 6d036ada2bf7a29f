// The workbench: sign-in, then one state object that the stream and the API update and the
// page renders from.
import { api, setCsrfToken, ApiError } from "./api.js";
import { openStream } from "./stream.js";
import { renderLists, renderConversation, renderTargets, renderStatuses, tickCountdowns } from "./render.js";
import { attachComposer, composed, clearComposer } from "./composer.js";
import { renderExtensions, attachExtensionBridge } from "./extensions.js";
import { attachRecords } from "./records.js";
import { alertOffer, askForNotifications } from "./alerts.js";
import { attachQuickReplies } from "./quick-replies.js";

const state = { me: null, sessions: [], queued: [], groups: [], visitors: { enabled: false, visitors: [] }, current: null, transcript: null, unread: {}, seenOffers: new Set(), seenCounts: {} };
let stream = null;
let refreshing = null;

const actions = {
  async accept(sessionId) {
    await guarded(async () => { await api.accept(sessionId); state.current = sessionId; await refresh(); });
  },
  async contact(clientUserId) {
    await guarded(async () => { const { sessionId } = await api.contact(clientUserId); state.current = sessionId; await refresh(); });
    await loadVisitors();
  },
  async open(sessionId) {
    state.current = sessionId;
    state.unread[sessionId] = 0;
    await refresh();
  },
};

async function guarded(work) {
  const error = document.getElementById("composer-error");
  error.textContent = "";
  try { await work(); } catch (e) {
    if (e instanceof ApiError && e.status === 401) return signedOut();
    error.textContent = e.message;
  }
}

/// Reads everything the page shows; overlapping requests collapse into one more pass.
async function refresh() {
  if (refreshing) { refreshing.again = true; return refreshing.done; }
  refreshing = { again: false };
  refreshing.done = (async () => {
    do {
      refreshing.again = false;
      try {
        const list = await api.sessions();
        state.sessions = list.sessions;
        state.queued = list.queued;
        state.groups = list.groups;
        // The status may change without this page (an administrator, a missed offer's break).
        if (list.seatStatus !== state.me.seatStatus || list.restReason !== state.me.restReason) {
          Object.assign(state.me, { seatStatus: list.seatStatus, restReason: list.restReason });
          renderStatuses(state.me);
        }
        for (const s of list.sessions) {
          if (s.state === "WaitingForAgentAnswering" && !state.seenOffers.has(s.sessionId)) {
            state.seenOffers.add(s.sessionId);
            alertOffer(s.userName);
          }
        }
        if (state.current) {
          state.unread[state.current] = 0;
          state.transcript = await api.transcript(state.current).catch(() => null);
          markSeen(state.transcript);
        } else {
          state.transcript = null;
        }
        renderLists(state, actions);
        renderConversation(state);
        renderExtensions(state.me, state.transcript && state.transcript.state !== "Ended" ? state.transcript : null);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) { signedOut(); refreshing = null; return; }
        retryLater();  // the network went away mid-read: read again soon, so nothing is missed
      }
    } while (refreshing.again);
    refreshing = null;
  })();
  return refreshing.done;
}

/// The agent holding the session has the user's messages on screen: READ receipts go to Google.
const receipted = {};
function markSeen(transcript) {
  if (!transcript || transcript.holder !== state.me.agentId || document.visibilityState !== "visible") return;
  const fromUser = transcript.messages.filter((m) => m.direction === "In").length;
  if ((receipted[transcript.sessionId] || 0) >= fromUser) return;
  receipted[transcript.sessionId] = fromUser;
  api.read(transcript.sessionId).catch(() => { receipted[transcript.sessionId] = 0; });
}
document.addEventListener("visibilitychange", () => markSeen(state.transcript));

let retryTimer = null;
function retryLater() {
  if (retryTimer) return;
  retryTimer = setTimeout(() => { retryTimer = null; refresh(); }, 2000);
}

function onChange(change) {
  const session = state.sessions.find((s) => s.clientUserId === change.clientUserId);
  if (session && session.sessionId !== state.current) state.unread[session.sessionId] = (state.unread[session.sessionId] || 0) + 1;
  refresh();
}

function setConnection(status) {
  const node = document.getElementById("connection");
  node.textContent = status === "live" ? "Live" : status === "down" ? "Disconnected — reconnecting…" : "Connecting…";
  node.classList.toggle("down", status === "down");
  node.dataset.state = status;
}

async function start() {
  state.me = await api.me();
  setCsrfToken(state.me.csrfToken);
  document.getElementById("sign-in").hidden = true;
  document.getElementById("workbench").hidden = false;
  document.getElementById("me").textContent = `${state.me.nickname} (${state.me.agentId})`;
  renderStatuses(state.me);
  renderTargets(await api.targets());
  loadVisitors();
  stream = openStream({ onOpen: () => refresh(), onChange, onState: setConnection });
  askForNotifications();
}

function signedOut() {
  const wasIn = !document.getElementById("workbench").hidden;
  if (stream) stream.close();
  stream = null;
  document.getElementById("workbench").hidden = true;
  document.getElementById("sign-in").hidden = false;
  if (wasIn) document.getElementById("sign-in-error").textContent = "You were signed out.";
}

document.getElementById("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("sign-in-error");
  error.textContent = "";
  try {
    const password = document.getElementById("password").value;
    const userSig = document.getElementById("user-sig").value.trim();
    if (!password && !userSig) throw new Error("Enter your password or a UserSig.");
    await api.signIn(document.getElementById("agent-id").value.trim(), password ? { password } : { userSig });
    document.getElementById("password").value = "";
    await start();
  } catch (e) { error.textContent = e.message; }
});

document.getElementById("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const message = state.current ? composed(state.current) : null;
  if (!message) return;
  await guarded(async () => { await api.send(message); clearComposer(); await refresh(); });
});
attachComposer();
// A third-party extension's ccc-sdk messages go into the session the agent holds and has open.
attachExtensionBridge(() => (state.transcript && state.transcript.holder === state.me.agentId ? state.current : null), async (message) => {
  await api.send(message);
  await refresh();
});
attachRecords((sessionId) => actions.open(sessionId), (e) => { document.getElementById("composer-error").textContent = e.message; });

attachQuickReplies(document.getElementById("message"), document.getElementById("quick-replies"));
// Typing in the composer tells the user (at most every 3 s; it stops by itself after a pause).
let typingSaid = 0;
document.getElementById("message").addEventListener("input", () => {
  if (!state.current || Date.now() - typingSaid < 3000) return;
  typingSaid = Date.now();
  api.typing(state.current).catch(() => {});
});

document.getElementById("message").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) document.getElementById("composer").requestSubmit();
});

// The visitor list is a search (open pages, the last week's sessions): read when the agent asks,
// not on every change the stream announces.
async function loadVisitors() {
  await guarded(async () => { state.visitors = await api.visitors(); renderLists(state, actions); });
}
document.getElementById("visitors-refresh").addEventListener("click", loadVisitors);
document.getElementById("end").addEventListener("click", () => guarded(async () => { await api.end(state.current); await refresh(); }));
document.getElementById("invite-rating").addEventListener("click", () => guarded(async () => { await api.inviteRating(state.current); await refresh(); }));

document.getElementById("transfer-button").addEventListener("click", () => guarded(async () => {
  const [kind, id] = document.getElementById("transfer-target").value.split(":");
  const label = document.getElementById("transfer-target").selectedOptions[0]?.textContent || "";
  if (!window.confirm(`Transfer this session to ${label}?`)) return;
  await api.transfer(state.current, kind === "agent" ? { agentId: id } : { groupId: Number(id) });
  await refresh();
}));

document.getElementById("status").addEventListener("change", (event) => guarded(async () => {
  const [status, restReason] = event.target.value.split(/:(.*)/s);
  await api.setStatus(status, restReason);
}));

document.getElementById("sign-out").addEventListener("click", async () => { await api.signOut().catch(() => {}); signedOut(); });

document.addEventListener("keydown", (event) => {
  if (!event.altKey) return;
  if (event.key === "a") { const first = state.sessions.find((s) => s.state === "WaitingForAgentAnswering"); if (first) actions.accept(first.sessionId); }
  if (event.key === "e" && state.current) document.getElementById("end").click();
});

setInterval(tickCountdowns, 1000);

// A page opened while still signed in (the cookie is HttpOnly) goes straight to the workbench.
start().catch(() => signedOut());
