// A horizontal bar chart as SVG, drawn from the same numbers the table beside it shows.
const SVG = "http://www.w3.org/2000/svg";

function node(tag, attributes) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

export function barChart(rows, { width = 360, bar = 22, gap = 8, label = 170 } = {}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const height = rows.length * (bar + gap);
  const svg = node("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  rows.forEach((row, index) => {
    const y = index * (bar + gap);
    const length = Math.round(((width - label - 40) * row.value) / max);
    const name = node("text", { x: 0, y: y + bar * 0.7 });
    name.textContent = row.label;
    const rect = node("rect", { x: label, y, width: Math.max(length, row.value > 0 ? 2 : 0), height: bar, "data-test": "bar", "data-value": row.value });
    const value = node("text", { x: label + length + 6, y: y + bar * 0.7 });
    value.textContent = String(row.value);
    svg.append(name, rect, value);
  });
  return svg;
}
