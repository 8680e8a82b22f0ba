// Transit view: with a party's token, its declarations, each one's status timeline, events and ETA
// (the transit service's own routes; the token stays in this page's memory only).
import { getJSON } from "../api.js";
import { byId, clear, dl, el, fmt, say, table } from "../dom.js";

let auth = {};

export async function start() {
  byId("tr-form").addEventListener("submit", (e) => {
    e.preventDefault();
    load();
  });
}

async function load() {
  const token = byId("tr-token").value.trim();
  const out = clear("tr-out");
  clear("tr-detail");
  if (!token) {
    say("Enter a party token (corridor transit bootstrap prints an operator's).", true);
    return;
  }
  auth = { Authorization: `Bearer ${token}` };
  try {
    const me = await getJSON("/parties/me", {}, auth);
    const list = await getJSON("/declarations", { limit: 100 }, auth);
    out.append(el("p", { id: "tr-party", text: `${me.name} (${me.role}${me.office_node ? `, office ${me.office_node}` : ""}): ${list.length} declaration(s).` }));
    const columns = [
      { key: "id", label: "id", value: (d) => el("button", { type: "button", class: "link", text: `#${d.id}`, onclick: () => detail(d.id) }) },
      { key: "lrn", label: "LRN" },
      { key: "status", label: "status" },
      { key: "route", label: "from → to", value: (d) => `${d.office_departure} → ${d.office_destination}` },
      { key: "created_at", label: "created" },
    ];
    out.append(table(columns, list, { id: "tr-declarations" }));
    say("");
  } catch (error) {
    say(error.message, true);
  }
}

async function detail(id) {
  const out = clear("tr-detail");
  try {
    const [decl, audit, eta] = await Promise.all([
      getJSON(`/declarations/${id}`, {}, auth),
      getJSON(`/declarations/${id}/audit`, {}, auth),
      getJSON(`/declarations/${id}/eta`, {}, auth),
    ]);
    const equipment = decl.containers?.[0];
    const events = equipment ? await getJSON("/events", { equipmentReference: equipment, limit: 100 }, auth) : { events: [] };
    out.append(el("h3", { text: `Declaration #${decl.id} — ${decl.status}` }));
    out.append(dl([
      ["LRN / MRN", `${decl.lrn} / ${decl.mrn || "–"}`],
      ["itinerary", decl.itinerary.join(" → ")],
      ["containers", decl.containers.join(", ")],
      ["guarantee", `${fmt(decl.guarantee.amount)} ${decl.guarantee.currency}`],
      ["ETA", eta.eta ? `${eta.eta} (${fmt(eta.remaining_h, 1)} h, ${fmt(eta.remaining_km)} km to go)` : eta.message || "–"],
      ["position", eta.position || "–"],
    ]));
    out.append(el("h3", { text: "Status timeline" }));
    out.append(el("ol", { class: "timeline", id: "tr-timeline" },
      audit.map((a) => el("li", { text: `${a.at} · ${a.from_state || "–"} → ${a.to_state || "–"} · ${a.action}` }))));
    out.append(el("h3", { text: `Events (${events.events.length})` }));
    out.append(table([
      { key: "eventDateTime", label: "when" },
      { key: "eventType", label: "type" },
      { key: "eventClassifierCode", label: "class" },
      { key: "code", label: "code", value: (e) => e.transportEventTypeCode || e.equipmentEventTypeCode || e.shipmentEventTypeCode || "" },
    ], events.events, { id: "tr-events" }));
  } catch (error) {
    say(error.message, true);
  }
}
