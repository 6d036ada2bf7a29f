// The agent's own service records (the sessions it served), searched by days and words.
import { api } from "./api.js";
import { el } from "./render.js";

/// `open(sessionId)` shows a found session's transcript in the conversation view.
export function attachRecords(open, onError) {
  const form = document.getElementById("records-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const name of ["from", "to", "user", "q"]) { const v = form.elements[name].value.trim(); if (v) query.set(name, v); }
    try {
      const page = await api.records(query.toString());
      document.getElementById("records-summary").textContent =
        `${page.total} session${page.total === 1 ? "" : "s"} found${page.truncated ? " (only the newest were read; narrow the days)" : ""}`;
      document.getElementById("records").replaceChildren(...page.sessions.map((s) =>
        el("li", { "data-test": "record", "data-session": s.sessionId },
          el("button", { type: "button", class: "open", onclick: () => open(s.sessionId) },
            el("span", { text: s.clientUserId }), " ",
            el("small", { text: `${new Date(s.startTime).toLocaleString()}${s.rating ? ` · rated ${s.rating}` : ""}` })))));
    } catch (e) { onError(e); }
  });
}
