// Autocomplete for place inputs: names, aliases and UN/LOCODEs from /places, offered through a <datalist>.
import { getJSON } from "../api.js";
import { el } from "../dom.js";

let timer;

/** Fill the datalist of `input` with places matching what was typed (debounced). */
export function autocomplete(input) {
  const list = document.getElementById(input.getAttribute("list"));
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.split(";").pop().trim();
    timer = setTimeout(async () => {
      const places = await getJSON("/places", { q: text, limit: 12 }).catch(() => []);
      list.replaceChildren(...places.map((p) => el("option", { value: p.name, label: `${p.country} · ${p.kind}${p.locode ? ` · ${p.locode}` : ""}` })));
    }, 150);
  });
}

let currencies;

/** Fill a <select> with the currencies of the dated FX table. */
export async function fillCurrencies(select, preferred = "EUR") {
  currencies = currencies || (await getJSON("/currencies"));
  select.replaceChildren(...currencies.map((c) => el("option", { value: c.currency, text: c.currency })));
  select.value = currencies.some((c) => c.currency === preferred) ? preferred : "USD";
}
