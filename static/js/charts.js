// Draws every figure on the page. Each chart is a <div data-figure="ID"> whose
// figure sits in <script type="application/json" id="ID"> (serialised by the view
// with tracker.charts.to_json, escaped as Django's json_script escapes), so the
// page carries no inline script. The tables under each chart work without
// JavaScript; this only adds the pictures.
//
// The record is shown and usable first: plotly.js (data-plotly on this script) is
// fetched only once the page has painted, and each chart, or each panel of a
// timeline marked data-panels, is drawn in a task of its own, so the page answers
// a tap between them (docs/benchmarks.md, "Patient page in the browser").
(function () {
  "use strict";
  var PLOTLY = document.currentScript && document.currentScript.getAttribute("data-plotly");
  var CONFIG = {
    responsive: true,
    displaylogo: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d"],
  };

  function refersTo(ref, axis) {
    return ref === axis || ref === axis + " domain";
  }

  function isoRange(data) {
    // The span of every x value: the panels share one time axis, so they share a range.
    var low = null;
    var high = null;
    data.forEach(function (trace) {
      (trace.x || []).forEach(function (x) {
        if (low === null || x < low) { low = x; }
        if (high === null || x > high) { high = x; }
      });
    });
    if (low === null) { return null; }
    var from = Date.parse(low.replace(" ", "T"));
    var to = Date.parse(high.replace(" ", "T"));
    var pad = Math.max((to - from) * 0.02, 86400000);
    data.forEach(function (trace) {
      // A heatmap's end columns reach half a column beyond their dates.
      var n = trace.type === "heatmap" && trace.x ? trace.x.length : 0;
      if (n > 1) {
        var span = Date.parse(trace.x[n - 1].replace(" ", "T")) - Date.parse(trace.x[0].replace(" ", "T"));
        pad = Math.max(pad, span / (n - 1) / 2 + 43200000);
      }
    });
    function text(ms) {
      var d = new Date(ms);
      function two(n) { return (n < 10 ? "0" : "") + n; }
      return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) +
        " " + two(d.getHours()) + ":" + two(d.getMinutes());
    }
    return [text(from - pad), text(to + pad)];
  }

  // One figure of stacked rows (yaxis, yaxis2, ... over one x axis) as one figure per
  // row, each with its own traces, shapes, annotations and legend, the same time
  // range and the same plot-area height it had in the stack.
  function panels(figure) {
    var layout = figure.layout;
    var keys = Object.keys(layout).filter(function (k) { return /^yaxis\d*$/.test(k); });
    keys.sort(function (a, b) { return (+a.slice(5) || 1) - (+b.slice(5) || 1); });
    var margin = layout.margin || {};
    var plotHeight = (layout.height || 1000) - (margin.t || 0) - (margin.b || 0);
    var range = isoRange(figure.data);
    return keys.map(function (key) {
      var axis = "y" + key.slice(5);
      var yaxis = Object.assign({}, layout[key], {domain: [0, 1]});
      var domain = layout[key].domain || [0, 1];
      var data = figure.data.filter(function (trace) {
        return (trace.yaxis || "y") === axis;
      }).map(function (trace) { return Object.assign({}, trace, {yaxis: "y"}); });
      var hasKey = data.some(function (trace) { return trace.showscale; });
      var xaxis = Object.assign({}, layout.xaxis, {anchor: "y"});
      if (range) { xaxis.range = range; xaxis.autorange = false; }
      var named = data.filter(function (trace) { return trace.showlegend !== false; }).length;
      var legendRows = Math.ceil(named / 3);
      var top = hasKey ? 70 : 12;
      var bottom = 34 + 22 * legendRows;
      var own = {};
      Object.keys(layout).forEach(function (k) {
        if (!/^yaxis\d*$/.test(k)) { own[k] = layout[k]; }
      });
      return {
        data: data,
        layout: Object.assign(own, {
          height: Math.round((domain[1] - domain[0]) * plotHeight) + top + bottom,
          margin: Object.assign({}, margin, {t: top, b: bottom}),
          xaxis: xaxis,
          yaxis: yaxis,
          legend: Object.assign({}, layout.legend, {yref: "container", y: 0, yanchor: "bottom"}),
          shapes: (layout.shapes || []).filter(function (s) { return refersTo(s.yref, axis); })
            .map(function (s) { return Object.assign({}, s, {yref: s.yref.replace(axis, "y")}); }),
          annotations: (layout.annotations || []).filter(function (a) { return refersTo(a.yref, axis); })
            .map(function (a) { return Object.assign({}, a, {yref: a.yref.replace(axis, "y")}); }),
        }),
      };
    });
  }

  // Zooming the time axis of one panel zooms them all.
  function linkZoom(plots) {
    var busy = false;
    plots.forEach(function (plot) {
      plot.on("plotly_relayout", function (change) {
        if (busy) { return; }
        var update = {};
        if ("xaxis.range[0]" in change) {
          update["xaxis.range"] = [change["xaxis.range[0]"], change["xaxis.range[1]"]];
        } else if (change["xaxis.autorange"] || "xaxis.range" in change) {
          update["xaxis.range"] = change["xaxis.range"] || plots[0].layout.xaxis.range;
        } else {
          return;
        }
        busy = true;
        Promise.all(plots.filter(function (other) { return other !== plot; })
          .map(function (other) { return window.Plotly.relayout(other, update); }))
          .then(function () { busy = false; }, function () { busy = false; });
      });
    });
  }

  // Each item is a function that draws one plot and returns plotly's promise.
  function jobs() {
    var list = [];
    var total = 0;
    Array.prototype.forEach.call(document.querySelectorAll("[data-figure]"), function (holder) {
      var source = document.getElementById(holder.getAttribute("data-figure"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      total += 1;
      if (!holder.hasAttribute("data-panels")) {
        list.push(function () {
          return window.Plotly.newPlot(holder, figure.data, figure.layout, CONFIG);
        });
        return;
      }
      var parts = panels(figure);
      var plots = parts.map(function (part, index) {
        var plot = document.createElement("div");
        plot.className = "panel";
        plot.setAttribute("data-panel", String(index));
        holder.appendChild(plot);
        return plot;
      });
      parts.forEach(function (part, index) {
        list.push(function () {
          return window.Plotly.newPlot(plots[index], part.data, part.layout, CONFIG).then(function () {
            if (index === parts.length - 1) { linkZoom(plots); }
          });
        });
      });
    });
    return {list: list, total: total};
  }

  function later(callback) {
    // Between two plots: let the browser paint and answer input first.
    if (window.requestIdleCallback) {
      window.requestIdleCallback(callback, {timeout: 200});
    } else {
      window.setTimeout(callback, 0);
    }
  }

  function drawAll() {
    var work = jobs();
    var index = 0;
    function next() {
      if (index >= work.list.length) {
        document.body.setAttribute("data-charts-ready", String(work.total));
        return;
      }
      var job = work.list[index];
      index += 1;
      job().then(function () { later(next); });
    }
    next();
  }

  function failed() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart-failed]"), function (note) {
      note.hidden = false;
    });
  }

  function load() {
    if (!document.querySelector("[data-figure]")) { return; }
    if (window.Plotly) { drawAll(); return; }
    var script = document.createElement("script");
    script.src = PLOTLY;
    script.async = true;
    script.onload = function () { later(drawAll); };
    script.onerror = failed;
    document.head.appendChild(script);
  }

  function afterPaint() {
    // Two frames: the record is on screen before plotly.js is fetched and run.
    window.requestAnimationFrame(function () { window.setTimeout(load, 0); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", afterPaint);
  } else {
    afterPaint();
  }
})();
