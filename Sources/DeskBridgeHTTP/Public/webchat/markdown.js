// The rich-text subset of the desk's Markdown (src 30, a finished src 31, chatbot answers), made
// into elements: paragraphs, line breaks, headings, lists, **bold**, *italic*, `code`, links and
// pictures with http(s) URLs. Anything else stays literal text. No HTML is ever parsed.
import { el, safeURL } from "./dom.js";

export function renderMarkdown(source) {
  // The desk's samples carry literal "\n" sequences as well as real newlines (spec §1.3).
  const text = String(source).replace(/\\n/g, "\n").replace(/\r\n?/g, "\n");
  const root = el("div", { class: "markdown", "data-test": "markdown" });
  let list = null;
  let paragraph = null;
  const flush = () => { list = null; paragraph = null; };
  for (const line of text.split("\n")) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const bullet = /^\s*(?:[-*+]|(\d+)[.)])\s+(.*)$/.exec(line);
    if (!line.trim()) { flush(); continue; }
    if (heading) {
      flush();
      root.append(el("p", { class: `heading h${heading[1].length}` }, ...inline(heading[2])));
    } else if (bullet) {
      const ordered = bullet[1] !== undefined;
      if (!list || list.ordered !== ordered) {
        list = { ordered, node: el(ordered ? "ol" : "ul") };
        root.append(list.node);
        paragraph = null;
      }
      list.node.append(el("li", {}, ...inline(bullet[2])));
    } else {
      list = null;
      if (paragraph) paragraph.append(el("br"));
      else { paragraph = el("p"); root.append(paragraph); }
      paragraph.append(...inline(line));
    }
  }
  return root;
}

const pattern = /!\[([^\]]*)\]\(([^)\s]+)\)|\[([^\]]+)\]\(([^)\s]+)\)|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*]+)\*|_([^_]+)_|`([^`]+)`/g;

function inline(text) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
    const [whole, alt, src, label, href, bold1, bold2, italic1, italic2, code] = match;
    if (src !== undefined) {
      const url = safeURL(src);
      nodes.push(url ? el("img", { src: url, alt: alt || "", class: "picture" }) : document.createTextNode(whole));
    } else if (href !== undefined) {
      const url = safeURL(href);
      nodes.push(url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, ...inline(label)) : document.createTextNode(label));
    } else if (bold1 !== undefined || bold2 !== undefined) nodes.push(el("strong", {}, ...inline(bold1 ?? bold2)));
    else if (italic1 !== undefined || italic2 !== undefined) nodes.push(el("em", {}, ...inline(italic1 ?? italic2)));
    else if (code !== undefined) nodes.push(el("code", { text: code }));
    last = match.index + whole.length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}
