// The desk settings an administrator changes at run time: shown in the form, saved as one document.
let loaded = false;

/// Fills the form from the service (once per page, so a change being typed is not overwritten).
export async function refreshSettings(call) {
  if (loaded) return;
  const settings = await call("GET", "/console/api/settings");
  document.getElementById("settings-reasons").value = settings.restReasons.join("\n");
  document.getElementById("settings-sign-in").value = settings.signInStatus || "";
  document.getElementById("settings-proactive").checked = settings.proactive.enabled;
  document.getElementById("settings-proactive-wait").value = String(settings.proactive.timeoutSeconds);
  loaded = true;
}

export function wireSettings(call) {
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
    };
    try { await call("POST", "/console/api/settings", settings); message.textContent = "Saved."; } catch (e) { message.textContent = e.message; }
  });
}
