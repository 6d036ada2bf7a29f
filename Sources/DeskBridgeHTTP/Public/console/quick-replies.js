// The console's quick replies: listed and searched, added, edited in place of the form, deleted.
// Everything shown comes from the API and goes into the DOM as text.
import { button } from "./dom.js";

/// Reads the replies (filtered by the search box) and redraws the table.
export async function refreshQuickReplies(call) {
  const query = document.getElementById("reply-search").value.trim();
  const replies = await call("GET", `/console/api/quick-replies?q=${encodeURIComponent(query)}`);
  document.getElementById("replies").replaceChildren(...replies.map((reply) => {
    const tr = document.createElement("tr");
    tr.setAttribute("data-test", "reply-row");
    for (const text of [reply.group, reply.text]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    const actions = document.createElement("td");
    actions.append(
      button("Edit", "reply-edit", () => edit(reply)), " ",
      button("Delete", "reply-delete", () => save(call, "/console/api/quick-replies/delete", { id: reply.id })));
    tr.append(actions);
    return tr;
  }));
}

function edit(reply) {
  document.getElementById("reply-id").value = String(reply ? reply.id : "");
  document.getElementById("reply-group").value = reply ? reply.group : "";
  document.getElementById("reply-text").value = reply ? reply.text : "";
  document.getElementById("reply-save").textContent = reply ? "Save" : "Add";
  document.getElementById("reply-cancel").hidden = !reply;
  if (reply) document.getElementById("reply-text").focus();
}

async function save(call, path, body) {
  const error = document.getElementById("replies-error");
  error.textContent = "";
  try { await call("POST", path, body); edit(null); await refreshQuickReplies(call); } catch (e) { error.textContent = e.message; }
}

/// Sends the chosen file's text; shows how many were added and each refused row with why.
async function upload(call) {
  const file = document.getElementById("reply-file").files[0];
  const error = document.getElementById("replies-error");
  error.textContent = "";
  if (!file) return;
  try {
    const report = await call("POST", "/console/api/quick-replies/import", { csv: await file.text() });
    document.getElementById("reply-upload-report").textContent =
      `${report.added} added${report.problems.length ? `, ${report.problems.length} refused:` : "."}`;
    document.getElementById("reply-upload-problems").replaceChildren(...report.problems.map((problem) => {
      const item = document.createElement("li");
      item.setAttribute("data-test", "reply-upload-problem");
      item.textContent = `Row ${problem.row}: ${problem.error}`;
      return item;
    }));
    await refreshQuickReplies(call);
  } catch (e) { error.textContent = e.message; }
}

export function wireQuickReplies(call) {
  document.getElementById("reply-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = document.getElementById("reply-id").value;
    const body = { group: document.getElementById("reply-group").value, text: document.getElementById("reply-text").value };
    save(call, id ? "/console/api/quick-replies/edit" : "/console/api/quick-replies", id ? { id: Number(id), ...body } : body);
  });
  document.getElementById("reply-cancel").addEventListener("click", () => edit(null));
  document.getElementById("reply-upload-form").addEventListener("submit", (event) => { event.preventDefault(); upload(call); });
  document.getElementById("reply-search-form").addEventListener("submit", (event) => { event.preventDefault(); refreshQuickReplies(call); });
  document.getElementById("reply-search").addEventListener("input", () => refreshQuickReplies(call).catch(() => {}));
}
