// evkg /explore: draws each data table marked data-chart with Chart.js (from node_modules).
// Without Chart.js the tables stay as they are: the page shows the same numbers.
(function () {
  "use strict";

  function rowsOf(table) {
    return Array.prototype.map.call(table.querySelectorAll("tbody tr"), function (tr) {
      return { label: tr.dataset.label, value: Number(tr.dataset.value) };
    });
  }

  function draw(table) {
    var canvas = document.getElementById(table.dataset.canvas);
    if (!canvas) return;
    var rows = rowsOf(table);
    var horizontal = table.dataset.chart === "hbar";
    canvas.hidden = false;
    if (horizontal) canvas.style.height = Math.max(180, rows.length * 22) + "px";
    var chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.label; }),
        datasets: [{
          label: table.dataset.series,
          data: rows.map(function (r) { return r.value; }),
          backgroundColor: "rgba(31, 95, 168, 0.75)",
        }],
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: !horizontal,
        animation: false,
        plugins: { legend: { display: false } },
        scales: horizontal ? { x: { beginAtZero: true, ticks: { precision: 0 } } }
                           : { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    canvas.dataset.drawn = String(chart.data.datasets[0].data.length);
    var details = table.closest("details");
    if (details) details.open = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof window.Chart !== "function") return;
    document.querySelectorAll("table[data-chart]").forEach(draw);
  });
})();
