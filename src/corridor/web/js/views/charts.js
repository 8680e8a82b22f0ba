// Chart.js helpers (vendored UMD build, global `Chart`); animation off so a chart is complete when drawn.
/* global Chart */

const charts = new Map();
export const PALETTE = ["#1f4e79", "#e6550d", "#31a354", "#756bb1", "#c62828", "#12999a", "#8c6d1f", "#636363"];

/** Draw (or redraw) a chart on the canvas with this id. */
export function chart(id, type, labels, datasets, { stacked = false, horizontal = false, title = "", percent = false, log = false } = {}) {
  charts.get(id)?.destroy();
  const canvas = document.getElementById(id);
  const tick = percent ? (v) => `${Math.round(v * 100)}%` : undefined;
  const value = horizontal ? "x" : "y";
  const c = new Chart(canvas, {
    type,
    data: { labels, datasets: datasets.map((d, i) => ({ backgroundColor: PALETTE[i % PALETTE.length], borderColor: PALETTE[i % PALETTE.length], ...d })) },
    options: {
      animation: false,
      maintainAspectRatio: false,
      indexAxis: horizontal ? "y" : "x",
      plugins: { title: { display: Boolean(title), text: title }, legend: { display: datasets.length > 1, position: "bottom" } },
      scales: { x: { stacked }, y: { stacked }, [value]: log ? { type: "logarithmic" } : { stacked, beginAtZero: true, ticks: tick ? { callback: tick } : {} } },
    },
  });
  charts.set(id, c);
  canvas.dataset.points = String(datasets.reduce((n, d) => n + d.data.length, 0));
  return c;
}
