// Evidence view: claims with their quote and source, verdicts against the model, and conflicts — from /evidence/...
import { getJSON, serves } from "../api.js";
import { byId, clear, el, fmt, say, table } from "../dom.js";

export async function start() {
  byId("ev-form").addEventListener("submit", (e) => {
    e.preventDefault();
    load();
  });
  await load();
}

const CLAIM_COLUMNS = [
  { key: "subject", label: "subject", value: (c) => c.subject_id || c.subject || "" },
  { key: "property", label: "property" },
  { key: "value", label: "claimed", value: (c) => `${fmt(c.value, c.value % 1 ? 2 : 0)} ${c.unit || ""}` },
  { key: "model_value", label: "model", value: (c) => (c.model_value === null || c.model_value === undefined ? "" : `${fmt(c.model_value, 2)} ${c.model_unit || ""}`) },
  { key: "verdict", label: "verdict" },
  { key: "sentence", label: "quote", value: (c) => el("span", { class: "quote", text: c.sentence || c.surface || "" }) },
  { key: "source", label: "source" },
];

async function load() {
  const out = clear("ev-out");
  const subject = byId("ev-subject").value.trim();
  if (!(await serves("/evidence/claims"))) {
    out.append(el("p", { class: "note", id: "ev-missing", text: "Evidence is not available in this build." }));
    return;
  }
  let claims;
  try {
    claims = await getJSON("/evidence/claims", { subject, limit: 100 });
  } catch (error) {
    say(error.message, true);
    return;
  }
  out.append(el("h3", { text: `Claims (${claims.items.length})` }));
  out.append(table(CLAIM_COLUMNS, claims.items, { id: "ev-claims" }));
  const conflicts = await getJSON("/evidence/conflicts", { limit: 50 }).catch(() => ({ items: [] }));
  out.append(el("h3", { text: `Conflicts (${conflicts.items.length})` }));
  for (const c of conflicts.items) {
    out.append(el("h4", { text: `${c.subject_id} · ${c.property} · ${c.period} (${c.unit})${c.conflict ? " — conflict" : ""}` }));
    out.append(el("p", { class: "note", text: (c.reasons || []).join("; ") }));
    out.append(table(CLAIM_COLUMNS, c.members || []));
  }
}
