// The map: an offline basemap (Natural Earth country outlines, vendored), the network, routes and flows as layers.
/* global L */

export const MODE_COLOURS = {
  rail: "#b5472e",
  road: "#8c6d1f",
  sea: "#1f6fb2",
  ferry: "#12999a",
  river: "#3b8bd9",
  oil_pipeline: "#2b2b2b",
  gas_pipeline: "#7b3fb2",
};
export const ROUTE_COLOURS = ["#e6550d", "#3182bd", "#31a354", "#756bb1", "#636363"];

/** Colour of a volume/capacity ratio: grey without a limit, then green, yellow, orange, red from 0.95 (saturated). */
export function vcColour(vc) {
  if (vc === null || vc === undefined) return "#6b8fb3";
  if (vc >= 0.95) return "#c62828";
  if (vc >= 0.8) return "#ef6c00";
  if (vc >= 0.5) return "#f9a825";
  return "#2e7d32";
}

let map;
const layers = {};

/**
 * Hover text for a drawn line or dot as an SVG <title> (text only). Leaflet tooltips would make every one of the
 * hundreds of lines a Tab stop; the panel's "Inspect" list gives keyboard users the same details instead.
 */
function titled(layer, text) {
  const node = layer.getElement();
  if (node) {
    const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = text;
    node.append(title);
  }
  return layer;
}

/** Create the map once, with the basemap; later calls return it. */
export async function initMap() {
  if (map) return map;
  map = L.map("map", { zoomSnap: 0.5, minZoom: 2, maxZoom: 9, worldCopyJump: false }).setView([44, 52], 3.5);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Basemap: Natural Earth (public domain) via world-atlas");
  for (const name of ["network", "flows", "routes"]) layers[name] = L.layerGroup().addTo(map);
  const outlines = await fetch("/static/vendor/world-atlas/countries-110m.geojson").then((r) => r.json());
  L.geoJSON(outlines, {
    interactive: false,
    style: { color: "#9aa8b8", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: 1, className: "basemap" },
  }).addTo(map).bringToBack();
  document.getElementById("map").dataset.ready = "1";
  return map;
}

export function refreshSize() {
  if (map) map.invalidateSize();
}

/** Show one of the overlay groups (and hide the others that are not listed). */
export function showLayers(...names) {
  for (const [name, group] of Object.entries(layers)) {
    if (names.includes(name)) group.addTo(map);
    else group.remove();
  }
}

function latlngs(coords) {
  return coords.map(([lon, lat]) => [lat, lon]);
}

/** Draw the network GeoJSON; onSelect(table, id) is called when a node or link is clicked. */
export function drawNetwork(doc, { modes, onSelect }) {
  const group = layers.network;
  group.clearLayers();
  let links = 0;
  for (const f of doc.features) {
    const p = f.properties;
    if (p.feature !== "link" || (modes && !modes.has(p.mode))) continue;
    const planned = p.status !== "operating";
    const line = L.polyline(latlngs(f.geometry.coordinates), {
      color: MODE_COLOURS[p.mode] || "#555",
      weight: p.mode === "sea" ? 2 : 3,
      opacity: 0.85,
      dashArray: planned ? "6 5" : null,
      className: `net-link mode-${p.mode} status-${p.status}`,
    });
    line.on("click", () => onSelect("links", p.link_id));
    group.addLayer(line);
    titled(line, `${p.name || p.link_id} (${p.mode}, ${p.status})`);
    links += 1;
  }
  for (const f of doc.features) {
    const p = f.properties;
    if (p.feature !== "node") continue;
    const [lon, lat] = f.geometry.coordinates;
    const dot = L.circleMarker([lat, lon], {
      radius: p.kind === "border_crossing" ? 3 : 4,
      color: "#1d2430",
      weight: 1,
      fillColor: p.status === "operating" ? "#ffffff" : "#f4b942",
      fillOpacity: 1,
      className: `net-node kind-${p.kind}`,
    });
    dot.on("click", () => onSelect("nodes", p.node_id));
    group.addLayer(dot);
    titled(dot, `${p.name} (${p.country})`);
  }
  return links;
}

/** Draw routes (GeoJSON of legs with properties.rank); the view fits the first route. */
export function drawRoutes(geojson) {
  const group = layers.routes;
  group.clearLayers();
  const ranks = [...new Set(geojson.features.map((f) => f.properties.rank))].sort((a, b) => b - a);
  for (const rank of ranks) {
    for (const f of geojson.features.filter((x) => x.properties.rank === rank)) {
      const p = f.properties;
      const line = L.polyline(latlngs(f.geometry.coordinates), {
        color: ROUTE_COLOURS[(rank - 1) % ROUTE_COLOURS.length],
        weight: rank === 1 ? 6 : 4,
        opacity: rank === 1 ? 0.9 : 0.6,
        className: `route-leg rank-${rank}`,
      });
      group.addLayer(line);
      titled(line, `Route ${rank}: ${p.from} → ${p.to} (${p.mode})`);
    }
  }
  const first = group.getLayers();
  if (first.length) map.fitBounds(L.featureGroup(first).getBounds(), { padding: [20, 20], maxZoom: 6 });
}

/** Draw link flows: width by flow, colour by volume/capacity. */
export function drawFlows(links) {
  const group = layers.flows;
  group.clearLayers();
  const max = Math.max(1, ...links.map((l) => l.flow_t_per_year || 0));
  for (const link of links) {
    if (!link.coordinates || link.coordinates.length < 2 || !(link.flow_t_per_year > 0)) continue;
    const line = L.polyline(latlngs(link.coordinates), {
      color: vcColour(link.vc_ratio),
      weight: 1.5 + (10 * link.flow_t_per_year) / max,
      opacity: 0.85,
      className: "flow-link",
    });
    const vc = link.vc_ratio === null ? "no capacity limit" : `v/c ${link.vc_ratio.toFixed(2)}`;
    group.addLayer(line);
    titled(line, `${link.id}: ${(link.flow_t_per_year / 1e6).toFixed(2)} Mt/yr, ${vc}`);
  }
}

export function clearLayer(name) {
  layers[name]?.clearLayers();
}
