// Flows view: one scenario year on the map (width by flow, colour by v/c), the bottleneck table, and shares and
// energy exports over the years as charts.
import { getJSON } from "../api.js";
import { byId, clear, el, fmt, say, table } from "../dom.js";
import { drawFlows, vcColour } from "../map.js";
import { chart } from "./charts.js";

const SERIES_YEARS = "2024,2027,2030,2035";
let request = 0;

export async function start() {
  const scenarios = await getJSON("/scenarios");
  const select = byId("fl-scenario");
  select.replaceChildren(...scenarios.map((s) => el("option", { value: s.name, text: `${s.name} — ${s.description}` })));
  select.value = scenarios.some((s) => s.name === "base") ? "base" : scenarios[0]?.name;
  const year = byId("fl-year");
  year.addEventListener("input", () => (byId("fl-year-out").textContent = year.value));
  year.addEventListener("change", loadYear);
  select.addEventListener("change", () => {
    loadYear();
    loadSeries();
  });
  byId("fl-year-out").textContent = year.value;
  const legend = byId("fl-legend");
  for (const [label, vc] of [["v/c < 0.5", 0.1], ["0.5–0.8", 0.6], ["0.8–0.95", 0.9], ["≥ 0.95 saturated", 1], ["no limit", null]]) {
    const swatch = el("span", { class: "swatch" });
    swatch.style.background = vcColour(vc);
    legend.append(el("span", {}, swatch, label));
  }
  await loadYear();
  loadSeries();
}

/** #flows?scenario=base&year=2030 chooses the scenario and year. */
export async function shown(params) {
  const select = byId("fl-scenario");
  const year = byId("fl-year");
  const scenario = params.get("scenario");
  const changed = (scenario && scenario !== select.value) || (params.get("year") && params.get("year") !== year.value);
  if (scenario) select.value = scenario;
  if (params.get("year")) year.value = params.get("year");
  byId("fl-year-out").textContent = year.value;
  if (changed) {
    await loadYear();
    if (scenario) loadSeries();
  }
}

async function loadYear() {
  const name = byId("fl-scenario").value;
  const year = byId("fl-year").value;
  const mine = ++request;
  say(`Assigning ${name} ${year}…`);
  const body = await getJSON(`/scenarios/${encodeURIComponent(name)}/years/${year}`).catch((e) => {
    say(e.message, true);
    return null;
  });
  if (!body || mine !== request) return;
  drawFlows(body.links);
  const summary = byId("fl-summary");
  const total = body.links.reduce((n, l) => n + (l.flow_t_per_year || 0), 0);
  summary.textContent = `${body.scenario} ${body.year}: demand ${fmt(body.demand_t_per_year / 1e6, 1)} Mt, unmet ${fmt(body.unmet_t_per_year / 1e6, 2)} Mt; ${body.links.length} loaded links; saturated from v/c ${body.saturation_vc_ratio}.`;
  summary.dataset.year = String(body.year);
  summary.dataset.flowTotal = String(Math.round(total));
  const columns = [
    { key: "name", label: "link or facility" },
    { key: "flow_t_per_year", label: "flow Mt/yr", num: true, digits: 2, value: (r) => r.flow_t_per_year / 1e6 },
    { key: "capacity_t_per_year", label: "capacity Mt/yr", num: true, digits: 2, value: (r) => (r.capacity_t_per_year === null ? null : r.capacity_t_per_year / 1e6) },
    { key: "vc_ratio", label: "v/c", num: true, digits: 2 },
    { key: "delay_h", label: "delay h", num: true, digits: 1 },
  ];
  clear("fl-bottlenecks").append(table(columns, body.bottlenecks.slice(0, 15), { id: "bottlenecks" }));
  say("");
}

async function loadSeries() {
  const name = byId("fl-scenario").value;
  const body = await getJSON(`/scenarios/${encodeURIComponent(name)}/series`, { years: SERIES_YEARS }).catch((e) => {
    say(e.message, true);
    return null;
  });
  if (!body || name !== byId("fl-scenario").value) return;
  const years = body.by_year.map((y) => String(y.year));
  const corridors = [...new Set(body.by_year.flatMap((y) => Object.keys(y.corridor_share_fraction)))];
  chart("fl-shares", "bar", years, corridors.map((c) => ({ label: c, data: body.by_year.map((y) => y.corridor_share_fraction[c] || 0) })), {
    stacked: true,
    percent: true,
  });
  const terminals = [...new Set(body.by_year.flatMap((y) => Object.keys(y.energy_exports_per_year)))];
  const unit = (body.by_year.find((y) => y.energy_unit) || {}).energy_unit || "t";
  const scale = unit === "t" ? 1e6 : 1;
  const exports = (y, t) => (y.energy_exports_per_year[t] || 0) / scale;
  chart("fl-energy", "bar", years, terminals.map((t) => ({ label: t, data: body.by_year.map((y) => exports(y, t)) })), {
    stacked: true,
    title: unit === "t" ? "Mt per year" : `${unit} per year`,
  });
  byId("fl-shares").dataset.scenario = name;
}
