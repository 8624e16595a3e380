// Draws a report's chart from the JSON the page carries (backoffice/report.html), with the
// Chart.js served beside it; and makes the quick-range buttons fill the form before it is sent.
(function () {
  "use strict";

  function percentTick(value) {
    return Math.round(value * 1000) / 10 + " %";
  }

  function draw() {
    var source = document.getElementById("report-chart-data");
    var canvas = document.getElementById("report-chart");
    if (!source || !canvas || !window.Chart) return;
    var spec = JSON.parse(source.textContent);
    var scales = {
      x: { stacked: !!spec.stacked },
      y: { stacked: !!spec.stacked, beginAtZero: true },
    };
    var usesSecondAxis = spec.datasets.some(function (set) { return set.yAxisID === "y1"; });
    if (usesSecondAxis) {
      scales.y1 = { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } };
      if (spec.y1 && spec.y1.percent) scales.y1.ticks = { callback: percentTick };
    }
    if (spec.percent) scales.y.ticks = { callback: percentTick };
    new window.Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        indexAxis: spec.horizontal ? "y" : "x",
        scales: scales,
      },
    });
  }

  function presets() {
    var form = document.querySelector("[data-report-form]");
    if (!form) return;
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-from]");
      if (!button) return;
      form.elements.from.value = button.dataset.from;
      form.elements.to.value = button.dataset.to;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    presets();
    draw();
  });
})();
