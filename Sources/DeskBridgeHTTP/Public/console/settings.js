// The desk settings an administrator changes at run time: shown in the form, saved as one document.
let loaded = false;

/// One extension's row in the form: name, URL, when it shows, whether it is on, and a remove button.
function extensionRow(page) {
  const item = document.createElement("li");
  item.setAttribute("data-test", "settings-extension");
  const field = (label, input) => {
    const wrapper = document.createElement("label");
    wrapper.append(label, " ", input);
    return wrapper;
  };
  const input = (type, name, value) => {
    const node = document.createElement("input");
    node.type = type;
    node.name = name;
    if (type === "checkbox") node.checked = value; else node.value = value;
    if (type === "text") node.required = true;
    return node;
  };
  const remove = document.createElement("button");
  remove.type = "button";
  remove.textContent = "Remove";
  remove.addEventListener("click", () => item.remove());
  item.append(field("Name", input("text", "name", page.name)), " ", field("URL", input("text", "url", page.url)), " ",
    field("Always shown (not only with a session)", input("checkbox", "alwaysVisible", page.alwaysVisible)), " ",
    field("On", input("checkbox", "enabled", page.enabled)), " ", remove);
  return item;
}

function extensions() {
  return Array.from(document.querySelectorAll("#settings-extension-list li")).map((item) => ({
    name: item.querySelector("[name=name]").value.trim(), url: item.querySelector("[name=url]").value.trim(),
    alwaysVisible: item.querySelector("[name=alwaysVisible]").checked, enabled: item.querySelector("[name=enabled]").checked,
  }));
}

/// Fills the form from the service (once per page, so a change being typed is not overwritten).
export async function refreshSettings(call) {
  if (loaded) return;
  const settings = await call("GET", "/console/api/settings");
  document.getElementById("settings-reasons").value = settings.restReasons.join("\n");
  document.getElementById("settings-sign-in").value = settings.signInStatus || "";
  document.getElementById("settings-proactive").checked = settings.proactive.enabled;
  document.getElementById("settings-proactive-wait").value = String(settings.proactive.timeoutSeconds);
  document.getElementById("settings-extension-list").replaceChildren(...settings.extensions.map(extensionRow));
  loaded = true;
}

export function wireSettings(call) {
  document.getElementById("settings-extension-add").addEventListener("click", () => {
    const row = extensionRow({ name: "", url: "https://", alwaysVisible: false, enabled: true });
    document.getElementById("settings-extension-list").append(row);
    row.querySelector("input").focus();
  });
  document.getElementById("settings-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = document.getElementById("settings-message");
    message.textContent = "";
    const signInStatus = document.getElementById("settings-sign-in").value;
    const settings = {
      restReasons: document.getElementById("settings-reasons").value.split("\n").map((line) => line.trim()).filter(Boolean),
      ...(signInStatus ? { signInStatus } : {}),
      proactive: { enabled: document.getElementById("settings-proactive").checked,
                   timeoutSeconds: Number(document.getElementById("settings-proactive-wait").value) },
      extensions: extensions(),
    };
    try { await call("POST", "/console/api/settings", settings); message.textContent = "Saved."; } catch (e) { message.textContent = e.message; }
  });
}
