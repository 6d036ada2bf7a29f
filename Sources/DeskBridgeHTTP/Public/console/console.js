// The console's monitoring page: one overview read on every change the live stream reports.
import { barChart } from "./chart.js";
import { refreshAdmin, wireBlacklistForm } from "./admin.js";
import { fillRecordChoices, wireRecords } from "./records.js";
import { wireAnalysis } from "./analysis.js";
import { refreshQuickReplies, wireQuickReplies } from "./quick-replies.js";
import { refreshSettings, wireSettings } from "./settings.js";
import { refreshDirectory, wireDirectory } from "./directory.js";

const labels = { Chatbot: "With the bot", Queueing: "Waiting in a queue", WaitingForAgentAnswering: "Offered to an agent", Agent: "With an agent" };
let csrfToken = "";
// What the signed-in role opens (GET /console/api/me): module → the skill group ids it shows.
let access = { modules: {} };
const opens = (module) => module in access.modules;
// Group and agent names from the last overview, for the analysis tables.
let names = { groups: {}, agents: {} };
let source = null;

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") { headers["Content-Type"] = "application/json"; headers["X-CSRF-Token"] = csrfToken; }
  const response = await fetch(path, { method, headers, credentials: "same-origin", body: body ? JSON.stringify(body) : undefined });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) { const error = new Error(answer.error || `HTTP ${response.status}`); error.status = response.status; throw error; }
  return answer;
}

/// A moment as the time of day (the day too when it is not today); "—" for none.
function since(millis) {
  if (!millis) return "—";
  const date = new Date(millis);
  return date.toDateString() === new Date().toDateString() ? `since ${date.toLocaleTimeString()}` : `since ${date.toLocaleString()}`;
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = String(text);
  if (className) td.className = className;
  return td;
}

function render(overview) {
  const rows = overview.sessions.map((s) => ({ label: labels[s.state] || s.state, value: s.count }));
  document.getElementById("sessions-chart").replaceChildren(barChart(rows));
  document.getElementById("sessions").replaceChildren(...overview.sessions.map((s) => {
    const tr = document.createElement("tr");
    tr.dataset.state = s.state;
    tr.append(cell(labels[s.state] || s.state), cell(s.count, "number"));
    return tr;
  }));
  document.getElementById("queues").replaceChildren(...overview.groups.map((g) => {
    const tr = document.createElement("tr");
    tr.dataset.group = String(g.id);
    const byStatus = ["Available", "Busy", "Rest", "Offline"].filter((s) => g.agentsByStatus[s]).map((s) => `${s} ${g.agentsByStatus[s]}`).join(", ") || "—";
    tr.append(cell(g.name), cell(g.waiting, "number waiting"), cell(since(g.longestWaitSince), "longest-wait"), cell(g.inService, "number in-service"),
      cell(byStatus, "by-status"), cell(g.receptionLimit, "number"));
    return tr;
  }));
  document.getElementById("agents").replaceChildren(...overview.agents.map((a) => {
    const tr = document.createElement("tr");
    tr.dataset.agent = a.agentId;
    tr.setAttribute("data-test", "agent-row");
    const select = document.createElement("select");
    select.setAttribute("aria-label", `Status of ${a.nickname}`);
    for (const status of ["Available", "Busy", "Rest", "Offline"]) {
      const option = document.createElement("option");
      option.textContent = status;
      option.selected = status === a.status;
      select.append(option);
    }
    select.addEventListener("change", () => act({ agentId: a.agentId, status: select.value }));
    select.disabled = !opens("agentManagement");
    const statusCell = document.createElement("td");
    statusCell.append(select);
    const actions = document.createElement("td");
    const button = document.createElement("button");
    button.type = "button";
    button.setAttribute("data-test", a.forcedOffline ? "resume" : "force-offline");
    button.textContent = a.forcedOffline ? "Resume online" : "Force offline";
    button.addEventListener("click", () => act(a.forcedOffline ? { agentId: a.agentId, status: "Available" } : { agentId: a.agentId, status: "Offline", force: true }));
    if (opens("agentManagement")) actions.append(button);
    tr.append(cell(`${a.nickname} (${a.agentId})`), cell(a.groups.join(", ")), statusCell, cell(since(a.statusSince), "status-since"),
      cell(`${a.load} / ${a.limit}`, "number load"), cell(since(a.waitingSince), "waiting-since"),
      cell(a.forcedOffline ? "forced offline" : a.signedIn ? "signed in" : "—"), actions);
    return tr;
  }));
}

async function act(body) {
  document.getElementById("error").textContent = "";
  try { await call("POST", "/console/api/agent-status", body); await refresh(); } catch (e) { document.getElementById("error").textContent = e.message; }
}

async function refresh() {
  try {
    if (opens("monitoring")) {
      const overview = await call("GET", "/console/api/overview");
      render(overview);
      names = { groups: Object.fromEntries(overview.groups.map((g) => [String(g.id), g.name])),
                agents: Object.fromEntries(overview.agents.map((a) => [a.agentId, `${a.nickname} (${a.agentId})`])) };
      fillRecordChoices(overview);
    }
    if (opens("agentManagement")) await refreshDirectory(call);
    if (opens("settings")) { await refreshAdmin(call, refresh); await refreshQuickReplies(call); await refreshSettings(call); }
    return true;
  } catch (e) {
    if (e.status === 401) signedOut();
    return false;
  }
}

function connect(delay = 500) {
  const status = document.getElementById("connection");
  source = new EventSource("/console/api/events");
  source.addEventListener("hello", () => { status.textContent = "Live"; status.dataset.state = "live"; refresh(); delay = 500; });
  source.addEventListener("change", () => refresh());
  source.onerror = () => {
    source.close();
    status.textContent = "Disconnected — reconnecting…";
    status.dataset.state = "down";
    setTimeout(() => connect(Math.min(delay * 2, 15000)), delay);
  };
}

async function start() {
  try { access = await call("GET", "/console/api/me"); } catch { return signedOut(); }
  csrfToken = access.csrfToken;
  document.getElementById("who").textContent = `${access.identity} (${access.role})`;
  // Only the modules the role opens are shown (the API refuses the others anyway).
  for (const section of document.querySelectorAll("[data-module]")) section.hidden = !opens(section.dataset.module);
  if (!(await refresh())) return;
  document.getElementById("sign-in").hidden = true;
  document.getElementById("console").hidden = false;
  if (opens("monitoring")) connect();
  else document.getElementById("connection").textContent = "";
}

function signedOut() {
  if (source) source.close();
  document.getElementById("console").hidden = true;
  document.getElementById("sign-in").hidden = false;
}

document.getElementById("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const password = document.getElementById("password").value;
    const userSig = document.getElementById("user-sig").value.trim();
    if (!password && !userSig) throw new Error("Enter the password or a UserSig.");
    const agentId = document.getElementById("agent-id").value.trim();
    await call("POST", "/console/api/sign-in", { ...(agentId ? { agentId } : {}), ...(password ? { password } : { userSig }) });
    document.getElementById("password").value = "";
    start();
  } catch (e) { document.getElementById("sign-in-error").textContent = e.message; }
});
document.getElementById("sign-out").addEventListener("click", async () => { await call("POST", "/console/api/sign-out", {}).catch(() => {}); signedOut(); });
// The forms are wired once, whether the page opens signed in or signs in later.
wireBlacklistForm(call, refresh);
wireRecords(call);
wireAnalysis(call, () => names);
wireQuickReplies(call);
wireSettings(call);
wireDirectory(call, refresh);
start();
