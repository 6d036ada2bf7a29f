// The console's data analysis: figures by day or hour, as an SVG chart beside the table of the
// same numbers, per skill group and per agent, with a CSV export. All text goes in as text.
import { barChart } from "./chart.js";

function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

const seconds = (value) => (value === null || value === undefined ? "—" : `${Math.round(value)} s`);
const decimal = (value) => (value === null || value === undefined ? "—" : value.toFixed(1));
const columns = [
  ["Started", (f) => f.started], ["Resolved by the bot", (f) => f.resolvedByBot], ["Transferred", (f) => f.transferred],
  ["Queued", (f) => f.queued], ["Abandoned", (f) => f.abandoned], ["First response (median)", (f) => seconds(f.firstResponseMedianSeconds)],
  ["First response (90th)", (f) => seconds(f.firstResponseP90Seconds)], ["Handle time (median)", (f) => seconds(f.handleTimeMedianSeconds)],
  ["Messages per session", (f) => decimal(f.messagesPerSession)], ["Ratings invited", (f) => f.ratingsInvited], ["Ratings given", (f) => f.ratingsGiven],
  ["Average rating", (f) => decimal(f.ratingAverage)], ["Webhook answered", (f) => f.webhookAnswered], ["Fallback", (f) => f.fallback],
  ["Queued assignments", (f) => f.queuedAssignments],
];

function table(rows, keyTitle, testName) {
  const head = el("tr");
  head.append(el("th", keyTitle, { scope: "col" }), ...columns.map(([title]) => el("th", title, { scope: "col" })));
  const body = rows.map((row) => {
    const tr = el("tr", null, { "data-test": testName });
    tr.append(el("th", row.key, { scope: "row" }), ...columns.map(([, value]) => el("td", value(row.figures), { class: "number" })));
    return tr;
  });
  const thead = el("thead");
  thead.append(head);
  const tbody = el("tbody");
  tbody.append(...body);
  const result = el("table");
  result.append(thead, tbody);
  return result;
}

function query(extra = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(document.getElementById("analysis-form")).entries()) if (String(value).trim()) params.set(name, String(value).trim());
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  return params.toString();
}

async function analyse(call, names) {
  const error = document.getElementById("analysis-error");
  error.textContent = "";
  let answer;
  try { answer = await call("GET", `/console/api/analysis?${query()}`); } catch (e) { error.textContent = e.message; return; }
  const report = answer.report;
  document.getElementById("analysis-chart").replaceChildren(barChart(report.buckets.map((b) => ({ label: b.key, value: b.figures.started })), { label: 130 }));
  const groupRows = report.byGroup.map((row) => ({ key: names.groups[row.key] || `Group ${row.key}`, figures: row.figures }));
  const agentRows = report.byAgent.map((row) => ({ key: names.agents[row.key] || row.key, figures: row.figures }));
  document.getElementById("analysis-tables").replaceChildren(
    el("h3", "By " + (new FormData(document.getElementById("analysis-form")).get("by") || "day")), table(report.buckets, "When", "analysis-row"),
    el("h3", "Total"), table([{ key: "All", figures: report.total }], "", "analysis-total"),
    el("h3", "By skill group"), table(groupRows, "Skill group", "analysis-group"),
    el("h3", "By agent"), table(agentRows, "Agent", "analysis-agent"));
  const distribution = Object.entries(report.total.ratingDistribution).map(([score, count]) => `${score}: ${count}`).join(", ") || "no ratings";
  document.getElementById("analysis-note").textContent =
    `Times in ${answer.timeZone}. Ratings given: ${distribution}.${answer.truncated ? " Only the newest 20,000 sessions were read; narrow the range." : ""}`;
  document.getElementById("analysis-csv").href = `/console/api/analysis?${query({ format: "csv" })}`;
}

/// Wires the form; `names()` answers the group and agent names from the last overview.
export function wireAnalysis(call, names) {
  document.getElementById("analysis-form").addEventListener("submit", (event) => { event.preventDefault(); analyse(call, names()); });
}
