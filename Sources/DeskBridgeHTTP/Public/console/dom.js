// What the console's modules share for drawing: every text goes into the DOM as text.

/// A button with its label, its `data-test` name and what a click does.
export function button(text, test, onClick) {
  const node = document.createElement("button");
  node.type = "button";
  node.textContent = text;
  node.setAttribute("data-test", test);
  node.addEventListener("click", onClick);
  return node;
}
