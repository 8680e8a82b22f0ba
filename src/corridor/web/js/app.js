// Corridor dashboard: tabs by URL hash (#map, #routes, ...), each view loaded the first time it is shown.
import { say } from "./dom.js";
import { initMap, refreshSize, showLayers } from "./map.js";
import * as mapView from "./views/network.js";
import * as routesView from "./views/routes.js";
import * as corridorsView from "./views/corridors.js";
import * as flowsView from "./views/flows.js";
import * as simulationView from "./views/simulation.js";
import * as calibrationView from "./views/calibration.js";
import * as evidenceView from "./views/evidence.js";
import * as transitView from "./views/transit.js";

const VIEWS = {
  map: { module: mapView, layers: ["network"] },
  routes: { module: routesView, layers: ["network", "routes"] },
  corridors: { module: corridorsView },
  flows: { module: flowsView, layers: ["flows"] },
  simulation: { module: simulationView },
  calibration: { module: calibrationView },
  evidence: { module: evidenceView },
  transit: { module: transitView },
};
const started = new Set();

function parseHash() {
  const [name, qs] = location.hash.replace(/^#/, "").split("?");
  return { name: VIEWS[name] ? name : "map", params: new URLSearchParams(qs || "") };
}

async function show() {
  const { name, params } = parseHash();
  const view = VIEWS[name];
  for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== `view-${name}`;
  for (const link of document.querySelectorAll(".tabs a")) {
    if (link.dataset.view === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.getElementById("layout").classList.toggle("wide", !view.layers);
  document.body.dataset.view = name;
  say("");
  try {
    if (view.layers) {
      await initMap();
      refreshSize();
      showLayers(...view.layers);
    }
    if (!started.has(name)) {
      started.add(name);
      await view.module.start();
    }
    if (view.module.shown) await view.module.shown(params);
  } catch (error) {
    say(error.message, true);
  }
  document.body.dataset.ready = name;
}

window.addEventListener("hashchange", show);
show();
