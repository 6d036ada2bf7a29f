// The desk's messages as Tencent's UIKit shows them (seed 000's src catalogue): menus, forms and
// FAQ cards as buttons whose choice goes back as its text, the rating card as stars or numbers
// answered with a src 10, product and order cards, Markdown, streaming text, task forms and
// reminders. `act` is { text(t), custom(message) }: how an answer goes back to the desk.
import { el, safeURL } from "./dom.js";
import { renderMarkdown } from "./markdown.js";

/// The item as a list entry. `answered` maps a rating card's id to the option the visitor chose.
export function renderItem(item, act, answered) {
  if (item.kind === "system") {
    const text = item.event === "joined" ? `${item.sender || "An agent"} joined the chat` : `${item.sender || "The agent"} left the chat`;
    return el("li", { class: "event", "data-test": "system-line", "data-id": item.id, text });
  }
  if (item.kind === "visitor") {
    return el("li", { class: "visitor", "data-test": "visitor-message", "data-id": item.id },
      ...item.elements.map((element) => visitorElement(element)));
  }
  const who = el("span", { class: "who" },
    item.avatarImage ? el("img", { src: item.avatarImage, alt: "" }) : null,
    el("span", { "data-test": "sender", text: item.sender || (item.senderType === "BOT" ? "Assistant" : "Agent") }));
  const parts = item.elements.map((element) => deskElement(element, act, answered)).filter(Boolean);
  if (!parts.length) return null;
  return el("li", { class: "message", "data-test": "desk-message", "data-sender-type": item.senderType, "data-id": item.id }, who, ...parts);
}

function visitorElement(element) {
  if (element.type === "text") return el("span", { text: element.text });
  if (element.type === "image") return el("img", { class: "picture", src: element.url, alt: "Your picture", "data-test": "visitor-picture" });
  const message = parse(element.data);
  if (message && message.src === "10") return el("span", { "data-test": "rated", text: `Rated: ${message.menuSelected?.content ?? ""}` });
  return null;
}

function parse(data) {
  try { return JSON.parse(data); } catch { return null; }
}

function bubble(...children) { return el("div", { class: "bubble" }, ...children); }

function choices(items, act, { disabled = false } = {}) {
  return el("div", { class: "chips", role: "group" }, ...items.map((item) => el("button", {
    type: "button", "data-test": "choice", disabled, title: item.desc || null,
    text: item.content, onclick: () => act.text(item.content),
  })));
}

function deskElement(element, act, answered) {
  if (element.type === "text") return bubble(el("span", { "data-test": "message-text", text: element.text }));
  if (element.type === "image") return bubble(el("img", { class: "picture", src: element.url, alt: "Picture", "data-test": "picture" }));
  const message = parse(element.data);
  if (!message) return null;
  const content = message.content ?? {};
  switch (String(message.src)) {
    case "9": return ratingCard(message.menuContent ?? {}, act, answered);
    case "15": return bubble(header(content.header), choices(content.items ?? [], act), tail(content.tail));
    case "21": return form(content, act);
    case "22": return productCard(content);
    case "28": return orderCard(message);
    case "29": return bubble(header(content.title), content.content && content.content !== content.title ? el("p", { text: content.content }) : null,
      choices(content.items ?? [], act));
    case "30": return bubble(renderMarkdown(typeof message.content === "string" ? message.content : ""));
    case "31": {
      const text = (message.chunks ?? []).join("");
      return bubble(renderMarkdown(text), Number(message.isFinished) === 1 ? null : el("span", { class: "streaming", text: "…" }));
    }
    case "32": return bubble(header(content.header), choices(content.items ?? [], act, { disabled: Number(message.status) !== 0 }), tail(content.tail));
    case "33": return taskForm(message, act);
    case "35": return Number(message.thinkingStatus) === 1 ? null : bubble(el("span", { class: "thinking", "data-test": "thinking", text: "Thinking…" }));
    case "37": return el("div", { class: "reminder", "data-test": "reminder", role: "note", text: typeof message.content === "string" ? message.content : "" });
    default: return null;
  }
}

function header(text) { return text ? el("p", { class: "header", "data-test": "message-text", text }) : null; }
function tail(text) { return text ? el("p", { class: "tail", text }) : null; }

/// src 9: one button per option, stars when `type` is 1; a choice is a src 10 naming the option and the card.
function ratingCard(card, act, answered) {
  const chosen = answered.get(card.sessionId);
  const expired = card.expireTime && Date.now() / 1000 > Number(card.expireTime);
  const buttons = (card.menu ?? []).map((option, index) => {
    const label = option.content || (Number(card.type) === 1 ? "★".repeat(index + 1) : String(index + 1));
    return el("button", {
      type: "button", class: chosen === option.id ? "chosen" : null, "data-test": "rating-option", "aria-pressed": String(chosen === option.id),
      disabled: Boolean(chosen) || expired, text: label, "aria-label": Number(card.type) === 1 ? `${index + 1} of ${card.menu.length}` : null,
      onclick: () => act.custom({ customerServicePlugin: 0, src: "10", menuSelected: { id: option.id, content: label, sessionId: card.sessionId } }),
    });
  });
  // The card's tail (the thanks) is the desk's own answer to a choice: it follows as a message.
  return bubble(header(card.head), el("div", { class: `chips rating${Number(card.type) === 1 ? " stars" : ""}`, role: "group", "data-test": "rating-card" }, ...buttons),
    expired && !chosen ? tail("This rating has closed.") : null);
}

/// src 21: options as buttons (`type` 1), or a question answered in a field of its own (`type` 0).
function form(content, act) {
  if (Number(content.type) === 1) return bubble(header(content.header), choices(content.items ?? [], act));
  const input = el("input", { type: "text", "data-test": "form-answer", "aria-label": content.header || "Answer", required: true });
  const formNode = el("form", { class: "inline-form", onsubmit: (event) => {
    event.preventDefault();
    if (input.value.trim()) act.text(input.value.trim()).then((ok) => { if (ok) input.value = ""; });
  } }, input, el("button", { type: "submit", "data-test": "form-submit", text: "Send" }));
  return bubble(header(content.header), formNode);
}

function productCard(card) {
  const url = card.url ? safeURL(card.url) : null;
  return el("div", { class: "card", "data-test": "product-card" },
    card.pic && safeURL(card.pic) ? el("img", { src: safeURL(card.pic), alt: "" }) : null,
    el("strong", { text: card.header || "" }),
    card.desc ? el("span", { text: card.desc }) : null,
    url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: "Open" }) : null);
}

function orderCard(message) {
  const order = message.content && typeof message.content === "object" ? message.content : message;
  const fields = (order.customField ?? []).map((field) => el("div", { class: "field" }, el("dt", { text: field.name }), el("dd", { text: field.value })));
  return el("div", { class: "card order", "data-test": "order-card" },
    order.guide ? el("span", { class: "guide", text: order.guide }) : null,
    order.pic && safeURL(order.pic) ? el("img", { src: safeURL(order.pic), alt: "" }) : null,
    el("strong", { text: order.name || "" }),
    order.desc ? el("span", { text: order.desc }) : null,
    fields.length ? el("dl", {}, ...fields) : null);
}

/// src 33: one field per input variable; the answers go back as one text, a line per field.
function taskForm(message, act) {
  const content = message.content ?? {};
  const fields = (content.inputVariables ?? []).map((variable, index) => {
    const id = `task-${Math.random().toString(36).slice(2)}-${index}`;
    const control = Number(variable.formType) === 1
      ? el("select", { id, name: variable.name, required: Number(variable.isRequired) === 1 },
        el("option", { value: "", text: "—" }), ...(variable.chooseItemList ?? []).map((choice) => el("option", { value: choice, text: choice })))
      : el("input", { id, name: variable.name, type: "text", placeholder: variable.placeholder || null, required: Number(variable.isRequired) === 1 });
    return { variable, control, row: el("label", { for: id, class: "task-field" }, el("span", { text: variable.name }), control) };
  });
  const node = el("form", { class: "task-form", "data-test": "task-form", onsubmit: (event) => {
    event.preventDefault();
    const lines = fields.map(({ variable, control }) => `${variable.name}: ${control.value.trim()}`);
    act.text(lines.join("\n"));
  } }, ...fields.map((field) => field.row), el("button", { type: "submit", "data-test": "task-form-submit", text: "Send" }));
  return bubble(header(content.tip), node);
}
