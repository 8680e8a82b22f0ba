// Simulation view: door-to-door p10–p90 days per corridor and the delay components, from /simulation/corridors.
import { getJSON, serves } from "../api.js";
import { byId, clear, el, say, table } from "../dom.js";
import { chart } from "./charts.js";

export const ENDPOINT = "/simulation/corridors";

export async function start() {
  byId("sim-load").addEventListener("click", load);
  await load();
}

function rowsOf(body) {
  return Array.isArray(body) ? body : body?.items || body?.corridors || [];
}

async function load() {
  const out = clear("sim-out");
  let body;
  try {
    body = (await serves(ENDPOINT)) ? await getJSON(ENDPOINT) : null;
  } catch (error) {
    if (error.status !== 404) {
      say(error.message, true);
      return;
    }
  }
  if (!body) {
    out.append(el("p", { class: "note", id: "sim-missing", text: "Simulation results are not available in this build." }));
    return;
  }
  const rows = rowsOf(body);
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => typeof rows[0][k] !== "object");
  const withRange = rows.filter((r) => r.p10_days !== undefined);
  if (withRange.length) {
    const canvas = el("canvas", { id: "sim-chart", role: "img", "aria-label": "p10 to p90 door-to-door days per corridor" });
    out.append(el("figure", {}, canvas));
    chart("sim-chart", "bar", withRange.map((r) => String(r.corridor_id)), [
      { label: "p10–p90 (days)", data: withRange.map((r) => [r.p10_days, r.p90_days]) },
    ], { horizontal: true });
  }
  out.append(table(keys.map((k) => ({ key: k, label: k, num: typeof rows[0][k] === "number", digits: 1 })), rows, { id: "sim-table" }));
  const parts = rows.flatMap((r) => Object.entries(r.components || {}).map(([component, days]) => ({ corridor: r.corridor_id, component, days })));
  if (parts.length) {
    out.append(el("h3", { text: "Where the days go (mean days per train)" }));
    const components = [...new Set(parts.map((p) => p.component))];
    const canvas = el("canvas", { id: "sim-breakdown", role: "img", "aria-label": "Mean days per train by delay component, per corridor" });
    out.append(el("figure", {}, canvas));
    chart("sim-breakdown", "bar", rows.map((r) => String(r.corridor_id)),
      components.map((c) => ({ label: c, data: rows.map((r) => r.components?.[c] ?? 0) })), { horizontal: true, stacked: true });
    out.append(table([{ key: "corridor", label: "corridor" }, { key: "component", label: "component" }, { key: "days", label: "days", num: true, digits: 2 }], parts, { id: "sim-components" }));
  }
}
