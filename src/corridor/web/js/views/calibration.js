// Calibration view: observed vs modelled volume per count site (a chart and a table with each count's source as
// text), leave-one-out predictions and the fit summary — from /calibration/{year} (`corridor calibrate --json`).
import { getJSON, serves } from "../api.js";
import { byId, clear, dl, el, fmt, say, table } from "../dom.js";
import { chart } from "./charts.js";

const ENDPOINT = "/calibration/{year}";

export async function start() {
  byId("cal-form").addEventListener("submit", (e) => {
    e.preventDefault();
    load();
  });
  await load();
}

const pct = (x) => (x === null || x === undefined ? "–" : `${x >= 0 ? "+" : ""}${fmt(x * 100, 1)}%`);
const share = (x) => (x === null || x === undefined ? "–" : `${fmt(x * 100, 0)}%`);

function siteColumns(loo) {
  return [
    { key: "site_id", label: "site" },
    { key: "observed", label: "observed", num: true },
    { key: "modelled", label: "modelled", num: true },
    { key: "unit", label: "unit" },
    { key: "rel_error", label: "rel. error", num: true, value: (s) => pct(s.rel_error) },
    { key: "geh", label: "GEH", num: true, digits: 1 },
    { key: "loo", label: "predicted without it", num: true, value: (s) => loo.get(s.count_id)?.predicted ?? null },
    { key: "source", label: "source", value: (s) => el("span", { class: "quote", text: s.source }) },
  ];
}

function summaryOf(body) {
  const s = body.summary;
  return dl([
    ["sites", `${s.sites} (${s.demand_sites} reached by the demand matrix)`],
    [`within ${share(body.fit_limit_fraction)}`, `${share(s.share_within_15pct)} calibrated, ${share(s.prior_share_within_15pct)} prior`],
    [`leave-one-out within ${share(body.loo_limit_fraction)}`, `${share(s.loo_share_within_30pct)} of the sites`],
    ["R²", fmt(s.r2, 3)],
    ["RMSE", `${fmt(s.rmse_t)} t`],
    ["GEH below 5", `${share(s.share_geh_below_5)} (GEH on ${s.geh_unit})`],
    ["demand", `${fmt(s.prior_t)} t prior → ${fmt(s.calibrated_t)} t calibrated`],
  ]);
}

async function load() {
  const out = clear("cal-out");
  const year = byId("cal-year").value;
  if (!(await serves(ENDPOINT))) {
    out.append(el("p", { class: "note", id: "cal-missing", text: "Calibration is not available in this build." }));
    return;
  }
  say(`Calibrating ${year}… (takes a few seconds the first time)`);
  let body;
  try {
    body = await getJSON(`/calibration/${encodeURIComponent(year)}`);
  } catch (error) {
    say(error.message, true);
    return;
  }
  const loo = new Map(body.leave_one_out.map((r) => [r.count_id, r]));
  const labels = body.sites.map((s) => `${s.site_id} (${s.unit})`);
  const canvas = el("canvas", { id: "cal-chart", role: "img", "aria-label": "Observed and modelled volume per count site, logarithmic scale" });
  out.append(el("figure", { class: "tall" }, canvas));
  chart("cal-chart", "bar", labels, [
    { label: "observed", data: body.sites.map((s) => s.observed) },
    { label: "modelled (calibrated)", data: body.sites.map((s) => s.modelled) },
    { label: "predicted without the count", data: body.sites.map((s) => loo.get(s.count_id)?.predicted ?? null) },
  ], { horizontal: true, log: true, title: `Observed vs modelled per count site, ${body.year} (each in its own unit)` });
  out.append(el("h3", { text: "Fit summary" }), el("div", { class: "detail", id: "cal-summary" }, summaryOf(body)));
  out.append(el("h3", { text: "Fit per count site" }));
  out.append(table(siteColumns(loo), body.sites, { id: "cal-sites" }));
  say("");
}
