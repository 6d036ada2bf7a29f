// The composer's kinds (text, picture by URL, card, menu): which fields show, and the body
// `/workbench/api/send` takes for each (README, "Workbench").
const kinds = ["image", "card", "menu"];
const value = (id) => document.getElementById(id).value.trim();

export function attachComposer() {
  const select = document.getElementById("compose-kind");
  const show = () => {
    const kind = select.value;
    document.getElementById("message").hidden = kind !== "text";
    for (const other of kinds) document.getElementById(`compose-${other}`).hidden = other !== kind;
  };
  select.addEventListener("change", show);
  show();
}

/// The message the composer holds, as the send call's body, or null when it is empty.
export function composed(sessionId) {
  switch (document.getElementById("compose-kind").value) {
    case "image": return value("image-url") ? { sessionId, kind: "image", url: value("image-url") } : null;
    case "card": return value("card-header") ? { sessionId, kind: "card", header: value("card-header"), desc: value("card-desc"), pic: value("card-pic"), url: value("card-url") } : null;
    case "menu": {
      const items = document.getElementById("menu-items").value.split("\n").map((line) => line.trim()).filter(Boolean);
      return value("menu-header") ? { sessionId, kind: "menu", header: value("menu-header"), items, tail: value("menu-tail") } : null;
    }
    default: {
      const text = document.getElementById("message").value;
      return text.trim() ? { sessionId, kind: "text", text } : null;
    }
  }
}

/// Empties what was sent, keeping the kind chosen.
export function clearComposer() {
  for (const id of ["message", "image-url", "card-header", "card-desc", "card-pic", "card-url", "menu-header", "menu-items", "menu-tail"]) {
    document.getElementById(id).value = "";
  }
}

export function enableComposer(enabled) {
  document.getElementById("compose-kind").disabled = !enabled;
  for (const kind of kinds) document.getElementById(`compose-${kind}`).disabled = !enabled;
}
