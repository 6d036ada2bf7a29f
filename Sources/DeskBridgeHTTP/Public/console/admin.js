// The console's blacklist and audit trail: read on every refresh, changed through the console API.
// Everything shown comes from the API and goes into the DOM as text.

function row(...texts) {
  const tr = document.createElement("tr");
  for (const text of texts) {
    const td = document.createElement("td");
    td.textContent = String(text);
    tr.append(td);
  }
  return tr;
}

const when = (millis) => new Date(millis).toLocaleString();

/// Redraws both tables; `call(method, path, body)` is the console's signed-in fetch.
export async function refreshAdmin(call, onChange) {
  const [blocked, audit] = await Promise.all([call("GET", "/console/api/blacklist"), call("GET", "/console/api/audit")]);
  document.getElementById("blacklist").replaceChildren(...blocked.map((entry) => {
    const tr = row(entry.clientUserId, entry.reason || "—", when(entry.since), entry.by);
    tr.setAttribute("data-test", "blocked-row");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Unblock";
    button.setAttribute("data-test", "unblock");
    button.setAttribute("aria-label", `Unblock ${entry.clientUserId}`);
    button.addEventListener("click", () => change(call, "/console/api/blacklist/remove", { clientUserId: entry.clientUserId }, onChange));
    const actions = document.createElement("td");
    actions.append(button);
    tr.append(actions);
    return tr;
  }));
  document.getElementById("audit").replaceChildren(...audit.map((entry) => {
    const tr = row(when(entry.Time), entry.Actor, entry.Action, entry.Subject, entry.Detail);
    tr.setAttribute("data-test", "audit-row");
    return tr;
  }));
}

async function change(call, path, body, onChange) {
  const error = document.getElementById("blacklist-error");
  error.textContent = "";
  try { await call("POST", path, body); await onChange(); } catch (e) { error.textContent = e.message; }
}

/// Wires the "Block a user" form once.
export function wireBlacklistForm(call, onChange) {
  document.getElementById("block-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const user = document.getElementById("block-user");
    const reason = document.getElementById("block-reason");
    await change(call, "/console/api/blacklist", { clientUserId: user.value.trim(), reason: reason.value.trim() }, onChange);
    user.value = "";
    reason.value = "";
  });
}
