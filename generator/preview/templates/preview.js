// Draws every time series panel of a preview page with uPlot, then marks the page ready.
// Unit formatting mirrors generator/preview/units.py for axis ticks.
(function () {
  "use strict";
  var SI = [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "K"]];
  function num(v, decimals) {
    if (decimals === null || decimals === undefined) {
      var m = Math.abs(v);
      decimals = m >= 100 || v === Math.round(v) ? 0 : m >= 10 ? 1 : 2;
    }
    return v.toFixed(decimals);
  }
  function scaled(v, decimals) {
    for (var i = 0; i < SI.length; i++) {
      if (Math.abs(v) >= SI[i][0]) { return num(v / SI[i][0], decimals) + SI[i][1]; }
    }
    return num(v, decimals);
  }
  function duration(s, decimals) {
    var units = [[86400, " day"], [3600, " hour"], [60, " min"], [1, " s"], [1e-3, " ms"], [1e-6, " µs"]];
    var m = Math.abs(s);
    for (var i = 0; i < units.length; i++) {
      if (m >= units[i][0] || i === units.length - 1) { return num(s / units[i][0], decimals) + units[i][1]; }
    }
    return num(s, decimals);
  }
  var RATES = { reqps: " req/s", ops: " ops/s", rps: " rd/s", wps: " wr/s", cps: " c/s", opm: " ops/min", rpm: " rpm" };
  function format(v, unit, decimals) {
    if (v === null || v === undefined || isNaN(v)) { return ""; }
    if (v === 0) { return "0" + (unit === "percentunit" || unit === "percent" ? "%" : ""); }
    switch (unit) {
      case "percentunit": return num(v * 100, decimals) + "%";
      case "percent": return num(v, decimals) + "%";
      case "s": return duration(v, decimals);
      case "ms": return duration(v / 1000, decimals);
      case "none": return num(v, decimals);
      default:
        if (RATES[unit]) { return scaled(v, decimals) + RATES[unit]; }
        return scaled(v, decimals);
    }
  }

  function thresholdPlugin(spec) {
    return {
      hooks: {
        drawClear: [function (u) {
          var mode = spec.thresholdsStyle;
          if (!mode || mode === "off" || !spec.thresholds.length) { return; }
          var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height, left = u.bbox.left, width = u.bbox.width;
          ctx.save();
          for (var i = 0; i < spec.thresholds.length; i++) {
            var from = spec.thresholds[i][0], colour = spec.thresholds[i][1];
            var y0 = from === null ? top + height : u.valToPos(from, "y", true);
            var next = i + 1 < spec.thresholds.length ? spec.thresholds[i + 1][0] : null;
            var y1 = next === null ? top : u.valToPos(next, "y", true);
            y0 = Math.min(Math.max(y0, top), top + height);
            y1 = Math.min(Math.max(y1, top), top + height);
            if (mode.indexOf("area") >= 0 && y0 > y1) {
              ctx.globalAlpha = 0.12;
              ctx.fillStyle = colour;
              ctx.fillRect(left, y1, width, y0 - y1);
              ctx.globalAlpha = 1;
            }
            if ((mode.indexOf("line") >= 0 || mode === "dashed") && from !== null && y0 > top && y0 < top + height) {
              ctx.strokeStyle = colour;
              ctx.lineWidth = 1 * devicePixelRatio;
              ctx.setLineDash(mode.indexOf("dashed") >= 0 ? [10, 10] : []);
              ctx.beginPath();
              ctx.moveTo(left, y0);
              ctx.lineTo(left + width, y0);
              ctx.stroke();
            }
          }
          ctx.restore();
        }]
      }
    };
  }

  function stack(series) {
    var sums = null;
    return series.map(function (s) {
      var out = s.values.map(function (v, i) {
        var base = sums ? sums[i] : 0;
        return v === null ? null : v + (base || 0);
      });
      sums = out.map(function (v, i) { return v === null ? (sums ? sums[i] : 0) : v; });
      return out;
    });
  }

  function draw(spec, times) {
    var host = document.querySelector('[data-chart="' + spec.id + '"]');
    var axis = { stroke: "#8E8E8E", grid: { stroke: "rgba(204,204,220,0.07)", width: 1 }, ticks: { show: false },
                 font: "11px Inter, Arial, sans-serif" };
    var values = spec.stacking === "normal" ? stack(spec.series) : spec.series.map(function (s) { return s.values; });
    var scale = { auto: true };
    var fixedMin = spec.min !== null && spec.min !== undefined, fixedMax = spec.max !== null && spec.max !== undefined;
    if (fixedMin || fixedMax) {
      scale.range = function (u, lo, hi) {
        var auto = uPlot.rangeNum(fixedMin ? Math.min(spec.min, lo) : lo, hi, 0.1, true);
        var bottom = fixedMin ? spec.min : auto[0];
        var top = fixedMax ? spec.max : (hi > bottom ? auto[1] : bottom + 1);
        return [bottom, top];
      };
    }
    var opts = {
      width: host.clientWidth, height: host.clientHeight, legend: { show: false }, cursor: { show: false },
      scales: { x: { time: true }, y: scale },
      axes: [
        Object.assign({}, axis, { values: function (u, ticks) { return ticks.map(function (t) {
          var d = new Date(t * 1000); return ("0" + d.getUTCHours()).slice(-2) + ":" + ("0" + d.getUTCMinutes()).slice(-2); }); } }),
        Object.assign({}, axis, { size: 64, values: function (u, ticks) {
          return ticks.map(function (t) { return format(t, spec.unit, spec.decimals); }); } })
      ],
      series: [{}].concat(spec.series.map(function (s) {
        return { label: s.name, stroke: s.colour, width: spec.lineWidth, points: { show: false },
                 fill: spec.fill > 0 ? s.colour + Math.round(spec.fill * 255).toString(16).padStart(2, "0") : undefined,
                 paths: spec.bars ? uPlot.paths.bars({ size: [0.6, 100] }) : undefined };
      })),
      plugins: [thresholdPlugin(spec)]
    };
    new uPlot(opts, [times].concat(values), host);
  }

  var payload = JSON.parse(document.getElementById("preview-data").textContent);
  payload.charts.forEach(function (spec) { draw(spec, payload.times); });
  document.body.setAttribute("data-ready", "1");
})();
