// The console's service records: search, page, open a transcript, export what was found.
// Everything from the records goes into the DOM as text.

let page = 0;

function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

const when = (millis) => (millis ? new Date(millis).toLocaleString() : "—");

/// The form's filters as a query string (empty fields left out).
function query(extra = {}) {
  const form = new FormData(document.getElementById("records-form"));
  const params = new URLSearchParams();
  for (const [name, value] of form.entries()) if (String(value).trim()) params.set(name, String(value).trim());
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  return params.toString();
}

/// What one message says, as text: its text elements, or what kind of element it is.
function messageText(message) {
  return (message.MsgBody || []).map((element) => {
    if (element.MsgType === "TIMTextElem") return element.MsgContent.Text;
    if (element.MsgType === "TIMImageElem") return "[image]";
    if (element.MsgType === "TIMCustomElem") {
      try { return deskText(JSON.parse(element.MsgContent.Data)); } catch { return element.MsgContent.Desc || "[custom message]"; }
    }
    return `[${element.MsgType}]`;
  }).join("\n");
}

/// The desk custom messages a transcript shows most, in words; the rest by their src.
function deskText(message) {
  const content = message.content || {};
  const items = (list) => (list || []).map((item) => `• ${item.content}`).join("\n");
  switch (String(message.src)) {
    case "9": return `[rating card] ${(message.menuContent || {}).head || ""}`;
    case "10": return `[rated] ${(message.menuSelected || {}).content || ""}`;
    case "15": return `${content.header || ""}\n${items(content.items)}`;
    case "26": return content.content === "inSeat" ? "[an agent joined]" : "[the agent left]";
    case "29": return `${content.title || ""}\n${items(content.items)}`;
    case "30": return String(content);
    default: return `[desk message src ${message.src}]`;
  }
}

async function openTranscript(call, sessionId) {
  const sessions = await call("GET", `/console/api/records/transcript?sessionId=${encodeURIComponent(sessionId)}`);
  const list = document.getElementById("transcript");
  document.getElementById("transcript-title").textContent = `Transcript of ${sessionId}`;
  list.replaceChildren(...(sessions[0] ? sessions[0].Messages : []).map((message) => {
    const li = el("li", null, { "data-test": "transcript-line", class: message.Direction === "In" ? "in" : "out" });
    li.append(el("span", `${when(message.Time)} · ${message.Sender}${message.AgentId ? ` (${message.AgentId})` : ""}`, { class: "meta" }),
      el("span", messageText(message), { class: "text" }));
    return li;
  }));
  document.getElementById("transcript-panel").hidden = false;
  document.getElementById("transcript-title").focus();
}

async function search(call) {
  const error = document.getElementById("records-error");
  error.textContent = "";
  let result;
  try { result = await call("GET", `/console/api/records?${query({ page: String(page) })}`); } catch (e) { error.textContent = e.message; return; }
  document.getElementById("records").replaceChildren(...result.sessions.map((row) => {
    const tr = el("tr", null, { "data-test": "record-row" });
    for (const text of [when(row.startTime), row.clientUserId, row.channel, row.state, row.agentIds.join(", ") || "—", row.rating ?? "—", row.closeBy ?? "—"]) tr.append(el("td", text));
    const open = el("button", "Open", { type: "button", "data-test": "open-transcript", "aria-label": `Open the transcript of ${row.sessionId}` });
    open.addEventListener("click", () => openTranscript(call, row.sessionId).catch((e) => { error.textContent = e.message; }));
    const cell = el("td");
    cell.append(open);
    tr.append(cell);
    return tr;
  }));
  const pages = Math.max(1, Math.ceil(result.total / 50));
  document.getElementById("records-count").textContent = `${result.total} found · page ${result.page + 1} of ${pages}${result.truncated ? " · only the newest 2,000 sessions were searched; narrow the dates" : ""}`;
  document.getElementById("records-previous").disabled = page === 0;
  document.getElementById("records-next").disabled = page + 1 >= pages;
  document.getElementById("export-csv").href = `/console/api/records?${query({ format: "csv" })}`;
  document.getElementById("export-json").href = `/console/api/records?${query({ format: "json" })}`;
}

/// Fills the agent and group choices from the overview, once.
export function fillRecordChoices(overview) {
  const agents = document.getElementById("records-agent");
  if (agents.options.length > 1) return;
  for (const agent of overview.agents) agents.append(el("option", `${agent.nickname} (${agent.agentId})`, { value: agent.agentId }));
  const groups = document.getElementById("records-group");
  for (const group of overview.groups) groups.append(el("option", group.name, { value: String(group.id) }));
}

export function wireRecords(call) {
  document.getElementById("records-form").addEventListener("submit", (event) => { event.preventDefault(); page = 0; search(call); });
  document.getElementById("records-previous").addEventListener("click", () => { page = Math.max(0, page - 1); search(call); });
  document.getElementById("records-next").addEventListener("click", () => { page += 1; search(call); });
}
