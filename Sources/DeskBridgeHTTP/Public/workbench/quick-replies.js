// `#` in the composer opens the quick replies: the text after `#` searches them; arrows choose,
// Enter or a click puts the reply in the composer, Escape closes the list.
import { api } from "./api.js";

export function attachQuickReplies(box, list) {
  let items = [];
  let selected = 0;

  function close() { list.hidden = true; items = []; }

  function show() {
    list.replaceChildren(...items.map((item, index) => {
      const option = document.createElement("li");
      option.setAttribute("role", "option");
      option.setAttribute("data-test", "quick-reply");
      option.setAttribute("aria-selected", String(index === selected));
      const group = document.createElement("span");
      group.className = "group";
      group.textContent = item.group;
      const text = document.createElement("span");
      text.textContent = item.text;
      option.append(group, text);
      option.addEventListener("mousedown", (event) => { event.preventDefault(); choose(index); });
      return option;
    }));
    list.hidden = items.length === 0;
  }

  function choose(index) {
    if (!items[index]) return;
    box.value = items[index].text;
    close();
    box.focus();
  }

  box.addEventListener("input", async () => {
    if (!box.value.startsWith("#")) { close(); return; }
    const query = box.value.slice(1);
    const answer = await api.quickReplies(query).catch(() => ({ groups: [] }));
    if (box.value.slice(1) !== query) return;  // typed on meanwhile; that input asks again
    items = answer.groups.flatMap((g) => g.replies.map((text) => ({ group: g.group, text })));
    selected = 0;
    show();
  });

  box.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") { selected = Math.min(selected + 1, items.length - 1); show(); event.preventDefault(); }
    else if (event.key === "ArrowUp") { selected = Math.max(selected - 1, 0); show(); event.preventDefault(); }
    else if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) { choose(selected); event.preventDefault(); event.stopImmediatePropagation(); }
    else if (event.key === "Escape") { close(); event.preventDefault(); }
  });
  box.addEventListener("blur", () => setTimeout(close, 150));
}
