// DOM helpers: every piece of text from data goes in as a text node (textContent), never as HTML.

/** Create an element: el("td", {class: "num"}, "12"); props starting with "on" add listeners. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

/** Append children (nodes, or anything else as text) to a node. */
export function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Remove every child of a node (by id or node) and return it. */
export function clear(target) {
  const node = typeof target === "string" ? document.getElementById(target) : target;
  node.replaceChildren();
  return node;
}

export const byId = (id) => document.getElementById(id);

/** A number for people: thousands separators, `digits` decimals; "–" for missing values. */
export function fmt(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return Number(value).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * A table from rows: columns are {key, label, num, digits, value(row)}; `footer` is an optional row of cells.
 */
export function table(columns, rows, { id, caption, footer } = {}) {
  const head = el("tr", {}, columns.map((c) => el("th", { scope: "col", class: c.num ? "num" : null, text: c.label })));
  const body = rows.map((row) =>
    el(
      "tr",
      {},
      columns.map((c) => {
        const raw = c.value ? c.value(row) : row[c.key];
        if (raw instanceof Node) return el("td", {}, raw);
        const text = c.num ? (typeof raw === "number" ? fmt(raw, c.digits ?? 0) : raw ?? "–") : raw ?? "";
        return el("td", { class: c.num ? "num" : null, text });
      })
    )
  );
  const parts = [caption ? el("caption", { text: caption }) : null, el("thead", {}, head), el("tbody", {}, body)];
  if (footer) parts.push(el("tfoot", {}, el("tr", { class: "total" }, footer.map((cell, i) =>
    el("td", { class: columns[i]?.num ? "num" : null, text: cell ?? "" })))));
  return el("div", { class: "table-wrap" }, el("table", { id }, parts));
}

/** A definition list of key → value pairs. */
export function dl(pairs) {
  return el("dl", {}, pairs.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", {}, v instanceof Node ? v : String(v ?? "–"))]));
}

/** Show a line in the status bar (errors in red). */
export function say(message, error = false) {
  const node = byId("status");
  node.textContent = message || "";
  node.classList.toggle("error", Boolean(error));
}
