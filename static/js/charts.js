// Draws every figure on the page. Each chart is a <div data-figure="ID"> whose
// figure sits in <script type="application/json" id="ID"> (serialised by the view
// with tracker.charts.to_json, escaped as Django's json_script escapes), so the
// page carries no inline script. The tables under each chart work without
// JavaScript; this only adds the pictures.
(function () {
  "use strict";
  function draw() {
    var holders = document.querySelectorAll("[data-figure]");
    if (!window.Plotly) {
      // plotly.js did not load: say so where the charts would be; the tables stay.
      Array.prototype.forEach.call(document.querySelectorAll("[data-chart-failed]"), function (note) {
        note.hidden = false;
      });
      return;
    }
    // The chart's own words (months, the toolbar's tips) in the page's language: plotly's
    // locale file (static/vendor/plotly/) is on the page for the languages it has.
    var locale = { "zh-hans": "zh-CN" }[document.documentElement.lang] || "en";
    var pending = [];
    Array.prototype.forEach.call(holders, function (holder) {
      var source = document.getElementById(holder.getAttribute("data-figure"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      pending.push(
        window.Plotly.newPlot(holder, figure.data, figure.layout, {
          responsive: true,
          displaylogo: false,
          // No "share to Plotly Cloud" button: a patient's chart never leaves the clinic.
          modeBarButtonsToRemove: ["select2d", "lasso2d", "sendChartToCloud"],
          locale: locale,
        })
      );
    });
    Promise.all(pending).then(function () {
      document.body.setAttribute("data-charts-ready", String(pending.length));
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
