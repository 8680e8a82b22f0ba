// Route planner: the options of `corridor route`; routes drawn on the map; a per-leg table; totals in USD and a currency.
import { getJSON } from "../api.js";
import { byId, clear, el, fmt, say, table } from "../dom.js";
import { MODE_COLOURS, ROUTE_COLOURS, drawRoutes } from "../map.js";
import { autocomplete, fillCurrencies } from "./places.js";

const FIELDS = ["origin", "destination", "via", "cargo", "objective", "avoid", "year", "k", "currency"];

export async function start() {
  for (const id of ["rt-origin", "rt-destination", "rt-via"]) autocomplete(byId(id));
  const modes = byId("rt-modes");
  for (const mode of Object.keys(MODE_COLOURS)) {
    modes.append(el("label", {}, el("input", { type: "checkbox", name: "avoid_mode", value: mode }), ` ${mode.replace("_", " ")}`));
  }
  await fillCurrencies(byId("rt-currency"));
  byId("route-form").addEventListener("submit", (e) => {
    e.preventDefault();
    plan();
  });
}

/** Parameters in the hash (#routes?origin=..&destination=..) fill the form and plan at once. */
export async function shown(params) {
  if (![...params.keys()].length) return;
  for (const key of FIELDS) if (params.has(key)) byId(`rt-${key}`).value = params.get(key);
  await plan();
}

function legCells(leg) {
  return leg.kind === "link" ? `${leg.from} → ${leg.to}` : `${leg.from} (${leg.id})`;
}

const LEG_COLUMNS = [
  { key: "n", label: "#", num: true },
  { key: "mode", label: "mode" },
  { key: "where", label: "from → to", value: legCells },
  { key: "length_km", label: "km", num: true },
  { key: "moving_h", label: "moving h", num: true, digits: 1 },
  { key: "waiting_h", label: "waiting h", num: true, digits: 1 },
  { key: "cost_usd", label: "cost USD", num: true },
  { key: "co2_kg", label: "CO2 kg", num: true },
];

function renderRoute(route, i, fx) {
  const local = route.cost_local;
  const money = local ? ` = ${local.currency} ${fmt(local[`cost_${local.currency.toLowerCase()}`])}` : "";
  const swatch = el("span", { class: "swatch" });
  swatch.style.background = ROUTE_COLOURS[i % ROUTE_COLOURS.length];
  const legs = route.legs.map((leg, j) => ({ ...leg, n: j + 1 }));
  const footer = ["", "total", "", fmt(route.length_km), fmt(route.moving_h, 1), fmt(route.waiting_h, 1), fmt(route.cost_usd), fmt(route.co2_kg)];
  return el(
    "section",
    { class: "route", "data-rank": i + 1 },
    el("h3", {}, swatch, `Route ${i + 1}: ${route.summary}`),
    el("p", {
      class: "totals",
      text:
        `${fmt(route.days, 1)} days (${fmt(route.moving_h)} h moving, ${fmt(route.waiting_h)} h waiting) · ${fmt(route.length_km)} km · ` +
        `USD ${fmt(route.cost_usd)}${money} · ${fmt(route.co2_kg)} kg CO2 for ${route[`quantity_${route.unit.toLowerCase()}`]} ${route.unit} · countries ${route.countries.join("-")}`,
    }),
    table(LEG_COLUMNS, legs, { id: `route-table-${i + 1}`, footer }),
    fx.currency !== "USD" ? el("p", { class: "note", text: `1 USD = ${fx.rate_per_usd} ${fx.currency} (${fx.as_of}, ${fx.source})` }) : null
  );
}

/** Ask the API for routes with the form's options and show them. */
export async function plan() {
  const form = byId("route-form");
  const data = new FormData(form);
  const params = {
    origin: data.get("origin"),
    destination: data.get("destination"),
    cargo: data.get("cargo"),
    objective: data.get("objective"),
    avoid: data.get("avoid"),
    avoid_mode: data.getAll("avoid_mode"),
    via: String(data.get("via") || "").trim() || null,
    year: data.get("year"),
    k: data.get("k"),
    currency: data.get("currency"),
    planned: data.get("planned") ? "true" : null,
  };
  const out = clear("route-results");
  say("Finding routes…");
  const started = performance.now();
  try {
    const body = await getJSON("/routes", params);
    drawRoutes(body.geojson);
    body.routes.forEach((route, i) => out.append(renderRoute(route, i, body.fx)));
    out.dataset.routes = String(body.routes.length);
    out.dataset.ms = String(Math.round(performance.now() - started));
    say(`${body.routes.length} route(s).`);
  } catch (error) {
    out.dataset.routes = "0";
    say(error.message, true);
  }
}
