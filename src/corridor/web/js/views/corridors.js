// Corridors view: the named corridors between two places compared — days, cost and CO2 as charts and a table.
import { getJSON } from "../api.js";
import { byId, clear, el, fmt, say, table } from "../dom.js";
import { chart } from "./charts.js";
import { autocomplete, fillCurrencies } from "./places.js";

export async function start() {
  autocomplete(byId("cmp-origin"));
  autocomplete(byId("cmp-destination"));
  await fillCurrencies(byId("cmp-currency"), "KZT");
  byId("cmp-form").addEventListener("submit", (e) => {
    e.preventDefault();
    load();
  });
  await load();
}

/** A label as lines of about 22 characters (Chart.js draws an array as several lines). */
function lines(text, width = 22) {
  const out = [""];
  for (const word of text.split(" ")) {
    if (out[out.length - 1] && (out[out.length - 1] + " " + word).length > width) out.push(word);
    else out[out.length - 1] = out[out.length - 1] ? `${out[out.length - 1]} ${word}` : word;
  }
  return out;
}

async function load() {
  say("Comparing corridors…");
  const body = await getJSON("/compare", {
    origin: byId("cmp-origin").value,
    destination: byId("cmp-destination").value,
    year: byId("cmp-year").value,
    currency: byId("cmp-currency").value,
  });
  const ok = body.corridors.filter((c) => c.available);
  const names = ok.map((c) => lines(c.name.replace(/ \(.*\)$/, "")));
  chart("cmp-days", "bar", names, [{ label: "days", data: ok.map((c) => c.days) }], { horizontal: true, title: "Transit time (days)" });
  chart("cmp-cost", "bar", names, [{ label: "USD per TEU", data: ok.map((c) => c.cost_usd) }], { horizontal: true, title: `Cost (USD per ${ok[0]?.unit || "unit"})` });
  chart("cmp-co2", "bar", names, [{ label: "kg CO2", data: ok.map((c) => c.co2_kg) }], { horizontal: true, title: "CO2 (kg)" });
  const cur = body.fx.currency;
  const columns = [
    { key: "name", label: "corridor" },
    { key: "days", label: "days", num: true, digits: 1 },
    { key: "length_km", label: "km", num: true },
    { key: "cost_usd", label: "USD", num: true },
    { key: "local", label: cur, num: true, value: (c) => (c.available ? c.cost_usd * body.fx.rate_per_usd : null) },
    { key: "co2_kg", label: "kg CO2", num: true },
    { key: "reason", label: "route or reason", value: (c) => (c.available ? c.summary : c.reason) },
  ];
  const out = clear("cmp-table");
  out.append(table(columns, body.corridors, { id: "cmp-rows" }));
  out.append(el("p", { class: "note", text: `1 USD = ${fmt(body.fx.rate_per_usd, 2)} ${cur} (${body.fx.as_of}, ${body.fx.source}); year ${body.year}.` }));
  say("");
}
