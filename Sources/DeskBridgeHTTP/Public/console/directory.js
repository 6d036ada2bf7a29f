// The console's agents and skill groups: listed, added and edited through the forms above the
// tables, disabled, enabled and deleted from the rows, agents also uploaded as a CSV. Everything
// shown comes from the API and goes into the DOM as text.
import { button } from "./dom.js";

const byId = (id) => document.getElementById(id);

function row(test, texts, actions) {
  const tr = document.createElement("tr");
  tr.setAttribute("data-test", test);
  for (const text of texts) {
    const td = document.createElement("td");
    td.textContent = String(text);
    tr.append(td);
  }
  const td = document.createElement("td");
  for (const action of actions) td.append(action, " ");
  tr.append(td);
  return tr;
}

/// `1:3;2:5` from memberships, and back (a missing priority is 3).
const membershipsText = (groups) => groups.map((g) => `${g.id}:${g.priority}`).join(";");
function memberships(text) {
  return text.split(";").map((pair) => pair.trim()).filter(Boolean).map((pair) => {
    const [id, priority] = pair.split(":").map((part) => part.trim());
    return { id: Number(id), priority: priority === undefined ? 3 : Number(priority) };
  });
}

/// Reads the directory and redraws both tables and the role choices.
export async function refreshDirectory(call) {
  const directory = await call("GET", "/console/api/agents");
  const roles = byId("directory-role");
  const chosen = roles.value;
  roles.replaceChildren(...directory.roles.map((name) => {
    const option = document.createElement("option");
    option.textContent = name;
    return option;
  }));
  roles.value = directory.roles.includes(chosen) ? chosen : "agent";
  byId("groups").replaceChildren(...directory.skillGroups.map((group) => row("group-row", [group.id, group.name, group.receptionLimit], [
    button("Edit", "group-edit", () => editGroup(group)),
    button("Delete", "group-delete", () => save(call, "/console/api/skill-groups/delete", { id: group.id }, "groups-error")),
  ])));
  byId("directory").replaceChildren(...directory.agents.map((agent) => {
    const tr = row("directory-row", [agent.id, agent.nickname, agent.staffNo, agent.role, membershipsText(agent.skillGroups) || "—",
      agent.enabled ? "enabled" : "disabled", agent.hasPassword ? "yes" : "no"], [
      button("Edit", "directory-edit", () => editAgent(agent)),
      button(agent.enabled ? "Disable" : "Enable", agent.enabled ? "directory-disable" : "directory-enable",
        () => save(call, "/console/api/agents/edit", { id: agent.id, enabled: !agent.enabled })),
      button("Delete", "directory-delete", () => save(call, "/console/api/agents/delete", { id: agent.id })),
    ]);
    tr.dataset.agent = agent.id;
    return tr;
  }));
}

function editAgent(agent) {
  byId("directory-editing").value = agent ? agent.id : "";
  byId("directory-id").value = agent ? agent.id : "";
  byId("directory-id").readOnly = Boolean(agent);
  byId("directory-nickname").value = agent ? agent.nickname : "";
  byId("directory-staff").value = agent ? agent.staffNo : "";
  byId("directory-role").value = agent ? agent.role : "agent";
  byId("directory-groups").value = agent ? membershipsText(agent.skillGroups) : "";
  byId("directory-password").value = "";
  byId("directory-save").textContent = agent ? "Save" : "Add";
  byId("directory-cancel").hidden = !agent;
  if (agent) byId("directory-nickname").focus();
}

function editGroup(group) {
  byId("group-id").value = group ? String(group.id) : "";
  byId("group-name").value = group ? group.name : "";
  byId("group-limit").value = group ? String(group.receptionLimit) : "3";
  byId("group-save").textContent = group ? "Save" : "Add";
  byId("group-cancel").hidden = !group;
  if (group) byId("group-name").focus();
}

let redraw = async () => {};

async function save(call, path, body, errorId = "directory-error") {
  for (const id of ["directory-error", "groups-error"]) byId(id).textContent = "";
  try {
    await call("POST", path, body);
    if (path.includes("skill-groups")) editGroup(null); else editAgent(null);
    await redraw();
  } catch (e) { byId(errorId).textContent = e.message; }
}

/// Sends the chosen file's text; shows how many were added and each refused row with why.
async function upload(call) {
  const file = byId("directory-file").files[0];
  byId("directory-error").textContent = "";
  if (!file) return;
  try {
    const report = await call("POST", "/console/api/agents/import", { csv: await file.text() });
    byId("directory-upload-report").textContent = `${report.added} added${report.problems.length ? `, ${report.problems.length} refused:` : "."}`;
    byId("directory-upload-problems").replaceChildren(...report.problems.map((problem) => {
      const item = document.createElement("li");
      item.setAttribute("data-test", "directory-upload-problem");
      item.textContent = `Row ${problem.row}: ${problem.error}`;
      return item;
    }));
    await redraw();
  } catch (e) { byId("directory-error").textContent = e.message; }
}

/// `refresh` redraws the whole console (the monitoring tables show the agents too).
export function wireDirectory(call, refresh) {
  redraw = refresh;
  byId("directory-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const editing = byId("directory-editing").value;
    const body = { id: editing || byId("directory-id").value.trim(), nickname: byId("directory-nickname").value, staffNo: byId("directory-staff").value,
      role: byId("directory-role").value, skillGroups: memberships(byId("directory-groups").value) };
    const password = byId("directory-password").value;
    if (password) body.password = password;
    save(call, editing ? "/console/api/agents/edit" : "/console/api/agents", body);
  });
  byId("directory-cancel").addEventListener("click", () => editAgent(null));
  byId("group-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = byId("group-id").value;
    const body = { name: byId("group-name").value, receptionLimit: Number(byId("group-limit").value) };
    save(call, "/console/api/skill-groups", id ? { id: Number(id), ...body } : body, "groups-error");
  });
  byId("group-cancel").addEventListener("click", () => editGroup(null));
  byId("directory-upload-form").addEventListener("submit", (event) => { event.preventDefault(); upload(call); });
}
