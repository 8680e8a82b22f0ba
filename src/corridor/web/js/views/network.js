// Map view: the network of a year by mode and status; click (or choose) a node or link to see its values and sources.
import { getJSON } from "../api.js";
import { byId, clear, dl, el, fmt, say, table } from "../dom.js";
import { MODE_COLOURS, drawNetwork } from "../map.js";

const modes = new Set(Object.keys(MODE_COLOURS));
let latest = null;

export async function start() {
  const year = byId("map-year");
  const boxes = byId("map-modes");
  for (const mode of Object.keys(MODE_COLOURS)) {
    const box = el("input", { type: "checkbox", id: `mode-${mode}`, checked: true, onchange: () => toggle(mode, box.checked) });
    boxes.append(el("label", {}, box, ` ${mode.replace("_", " ")}`));
  }
  const legend = byId("map-legend");
  for (const [mode, colour] of Object.entries(MODE_COLOURS)) {
    const swatch = el("span", { class: "swatch" });
    swatch.style.background = colour;
    legend.append(el("span", {}, swatch, mode.replace("_", " ")));
  }
  legend.append(el("span", { text: "dashed: planned or under construction" }));
  year.addEventListener("input", () => (byId("map-year-out").textContent = year.value));
  year.addEventListener("change", load);
  byId("map-planned").addEventListener("change", load);
  byId("map-inspect").addEventListener("change", (e) => {
    const [table, id] = e.target.value.split(":");
    if (id) select(table, id);
  });
  byId("map-year-out").textContent = year.value;
  await load();
}

function toggle(mode, on) {
  if (on) modes.add(mode);
  else modes.delete(mode);
  if (latest) render(latest);
}

async function load() {
  const year = byId("map-year").value;
  const status = byId("map-planned").checked ? [] : ["operating"];
  say(`Loading the network of ${year}…`);
  latest = await getJSON("/network", { year, status });
  render(latest);
  say("");
  const projects = await getJSON("/projects", { year });
  const columns = [
    { key: "open_year", label: "year" },
    { key: "name", label: "project" },
    { key: "status", label: "status", value: (p) => p.status.replace("_", " ") },
    { key: "value", label: "sets", value: (p) => `${p.field} = ${typeof p.value === "number" ? fmt(p.value) : p.value}` },
  ];
  const out = clear("map-projects");
  out.append(table(columns, projects, { id: "projects" }));
  out.dataset.year = year;
}

function render(doc) {
  const shown = drawNetwork(doc, { modes, onSelect: select });
  const links = doc.features.filter((f) => f.properties.feature === "link");
  const operating = links.filter((f) => f.properties.status === "operating").length;
  const counts = byId("map-counts");
  counts.textContent = `${doc.year}: ${operating} operating links, ${links.length - operating} planned or under construction; ${shown} drawn.`;
  counts.dataset.year = doc.year;
  counts.dataset.links = String(shown);
  counts.dataset.operating = String(operating);
  const inspect = byId("map-inspect");
  const keep = inspect.value;
  const options = doc.features
    .map((f) => f.properties)
    .map((p) => (p.feature === "node" ? [`nodes:${p.node_id}`, `${p.name} (${p.country})`] : [`links:${p.link_id}`, `${p.name || p.link_id} — ${p.mode}`]))
    .sort((a, b) => a[1].localeCompare(b[1]));
  inspect.replaceChildren(el("option", { value: "", text: "— choose —" }), ...options.map(([v, t]) => el("option", { value: v, text: t })));
  inspect.value = keep;
}

/** Show the values of one node or link in the chosen year and where each comes from. */
export async function select(table, id) {
  const year = byId("map-year").value;
  const detail = clear("detail");
  const body = await getJSON(`/network/${table}/${encodeURIComponent(id)}`, { year }).catch((e) => {
    say(e.message, true);
    return null;
  });
  if (!body) return;
  const v = body.values;
  detail.append(el("h3", { text: v.name || body.record_id }));
  const shown = Object.entries(v).filter(([k, x]) => x !== null && x !== "" && !(Array.isArray(x) && !x.length) && k !== "name");
  detail.append(dl(shown.map(([k, x]) => [k, Array.isArray(x) ? x.join(", ") : typeof x === "number" ? fmt(x, x % 1 ? 2 : 0) : x])));
  detail.append(el("h3", { text: `Sources (${body.sources.length})` }));
  const list = el("ul", { class: "sources" });
  for (const s of body.sources) {
    const where = s.kind === "assumption" ? `assumption: ${s.note || ""}` : `${s.source_title || s.source_id || s.kind}`;
    list.append(el("li", {}, el("strong", { text: `${s.field} = ${s.value ?? ""} ${s.unit ?? ""}` }), ` — ${where}`,
      s.quote ? el("div", { class: "quote", text: `“${s.quote}”` }) : null,
      s.source_ref ? el("div", { class: "ref", text: s.source_ref }) : null));
  }
  detail.append(list);
  detail.dataset.record = body.record_id;
}
