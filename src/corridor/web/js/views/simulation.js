// Simulation view: transit-time ranges per corridor from /simulation/corridors when this build has the engine.
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
  const withRange = rows.filter((r) => r.p10_h !== undefined || r.p10 !== undefined);
  if (withRange.length) {
    const canvas = el("canvas", { id: "sim-chart", role: "img", "aria-label": "p10 to p90 transit time per corridor" });
    out.append(el("figure", {}, canvas));
    const p = (r, q) => r[`p${q}_h`] ?? r[`p${q}`];
    chart("sim-chart", "bar", withRange.map((r) => String(r.corridor ?? r.name ?? "")), [
      { label: "p10–p90 (h)", data: withRange.map((r) => [p(r, 10), p(r, 90)]) },
    ], { horizontal: true });
  }
  out.append(table(keys.map((k) => ({ key: k, label: k, num: typeof rows[0][k] === "number", digits: 1 })), rows, { id: "sim-table" }));
}
