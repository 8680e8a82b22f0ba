#!/usr/bin/env bash
# Re-vendor the dashboard's front-end assets from npm into src/corridor/web/vendor/ (run by hand when upgrading;
# a clone needs no build step because the results are committed). Needs node and npm.
set -euo pipefail
LEAFLET=1.9.4 CHARTJS=4.6.1 ATLAS=2.0.2 TOPO=3.1.0
root=$(cd "$(dirname "$0")/.." && pwd)
vendor=$root/src/corridor/web/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "leaflet@$LEAFLET" "chart.js@$CHARTJS" "world-atlas@$ATLAS" "topojson-client@$TOPO" >/dev/null
for f in *.tgz; do mkdir "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done
mkdir -p "$vendor/leaflet/images" "$vendor/chartjs" "$vendor/world-atlas"
cp leaflet-$LEAFLET/package/dist/{leaflet.js,leaflet.css} leaflet-$LEAFLET/package/LICENSE "$vendor/leaflet/"
cp leaflet-$LEAFLET/package/dist/images/* "$vendor/leaflet/images/"
cp chart.js-$CHARTJS/package/dist/chart.umd.min.js chart.js-$CHARTJS/package/LICENSE.md "$vendor/chartjs/"
cp world-atlas-$ATLAS/package/LICENSE "$vendor/world-atlas/LICENSE"
cp topojson-client-$TOPO/package/LICENSE "$vendor/world-atlas/LICENSE.topojson-client"
# the dashboard never loads source maps: drop the references so no request 404s
sed -i '/sourceMappingURL/d' "$vendor/chartjs/chart.umd.min.js" "$vendor/leaflet/leaflet.js"
node "$root/tools/topo2geo.mjs" "topojson-client-$TOPO/package/src/index.js" \
  "world-atlas-$ATLAS/package/countries-110m.json" "$vendor/world-atlas/countries-110m.geojson"
echo "vendored into $vendor"
