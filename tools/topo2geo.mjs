// Vendoring step (not run at build or run time): world-atlas TopoJSON (Natural Earth admin-0 countries) -> GeoJSON
// with coordinates rounded to 0.01 degree and only the country name kept.
// Usage: node tools/topo2geo.mjs TOPOJSON_CLIENT_SRC_INDEX COUNTRIES_TOPOJSON OUT_GEOJSON
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [client, src, dst] = process.argv.slice(2);
const { feature } = await import(pathToFileURL(client).href);
const topo = JSON.parse(readFileSync(src, "utf8"));
const fc = feature(topo, topo.objects.countries);
const round = (c) => (typeof c[0] === "number" ? [Math.round(c[0] * 100) / 100, Math.round(c[1] * 100) / 100] : c.map(round));
for (const f of fc.features) {
  f.geometry.coordinates = round(f.geometry.coordinates);
  f.properties = { name: f.properties.name };
}
writeFileSync(dst, JSON.stringify(fc));
