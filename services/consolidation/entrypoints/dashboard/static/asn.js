// Draws one ASN's JP per year against the minimum from the JSON the page carries; the table
// beside it holds the same figures for screen readers and keyboards.
(function () {
  "use strict";
  var source = document.getElementById("data-jp");
  var element = document.getElementById("grafik-jp");
  if (!source || !element || typeof echarts === "undefined") { return; }
  var years = JSON.parse(source.textContent).years;
  var english = document.documentElement.lang === "en";
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function hours(value) {
    if (value === null || value === undefined) { return "–"; }
    var text = String(Math.round(Number(value) * 10) / 10);
    return english ? text : text.replace(".", ",");
  }

  var minima = years.map(function (y) { return y.minimum; });
  var uniform = minima.every(function (m) { return m !== null && m === minima[0]; });

  // One minimum for every year: a line across the chart; else a step per year.
  function minimumSeries() {
    var line = { type: "dashed", width: 2, color: "#1b1f24" };
    if (uniform) {
      return {
        name: "Minimum", type: "line", data: [], itemStyle: { color: "#1b1f24" }, lineStyle: line,
        markLine: { silent: true, symbol: "none", lineStyle: line, label: { formatter: "{c}" },
                    data: [{ yAxis: minima[0] }] }
      };
    }
    return {
      name: "Minimum", type: "line", step: "middle", symbol: "rect", symbolSize: [18, 3],
      lineStyle: line, itemStyle: { color: "#1b1f24" }, data: minima
    };
  }

  var chart = echarts.init(element, null, { renderer: "svg" });
  chart.setOption({
    animation: !still,
    grid: { left: 40, right: 40, top: 28, bottom: 32 },
    legend: { top: 0, data: [english ? "JP credited" : "JP dihitung", "Minimum"] },
    tooltip: { trigger: "axis", valueFormatter: hours },
    xAxis: { type: "category", data: years.map(function (y) { return String(y.year); }) },
    yAxis: {
      type: "value", min: 0,
      // The minimum's line stays inside the chart even when every bar is far below it.
      max: function (v) { return Math.ceil(Math.max(v.max, (minima[0] || 0) + 5) / 5) * 5; }
    },
    series: [
      {
        name: english ? "JP credited" : "JP dihitung", type: "bar", barMaxWidth: 36,
        itemStyle: { color: "#1f6f3a" },
        data: years.map(function (y) {
          var short = y.minimum !== null && y.jp < y.minimum;
          return { value: y.jp, itemStyle: { color: short ? "#a4161a" : "#1f6f3a" } };
        }),
        label: { show: true, position: "top", color: "#1b1f24",
                 formatter: function (p) { return hours(p.value); } }
      },
      minimumSeries()
    ]
  });
  function resize() { chart.resize(); }
  window.addEventListener("resize", resize);
  if (typeof ResizeObserver !== "undefined") { new ResizeObserver(resize).observe(element); }
}());
