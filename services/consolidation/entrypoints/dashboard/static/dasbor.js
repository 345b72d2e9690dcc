// Draws the overview's charts from the JSON the page carries; the tables beside them hold the
// same figures for screen readers and keyboards. A bar or point leads to its drill-down page.
(function () {
  "use strict";
  var source = document.getElementById("data-grafik");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var english = document.documentElement.lang === "en";
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var charts = [];

  function percent(value) {
    if (value === null || value === undefined) { return "–"; }
    var text = Number(value).toFixed(1);
    return (english ? text : text.replace(".", ",")) + "%";
  }

  function draw(id, option, targets) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var chart = echarts.init(element, null, { renderer: "svg" });
    option.animation = !still;
    chart.setOption(option);
    chart.on("click", function (event) {
      var target = targets[event.dataIndex];
      if (target) { window.location.href = target; }
    });
    charts.push(chart);
  }

  var trend = data.trend;
  draw("grafik-tren", {
    grid: { left: 48, right: 16, top: 16, bottom: 32 },
    tooltip: { trigger: "axis", valueFormatter: percent },
    xAxis: { type: "category", data: trend.map(function (r) { return String(r.year); }) },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{
      type: "line", data: trend.map(function (r) { return r.pct; }),
      symbolSize: 10, lineStyle: { width: 3, color: "#0b4f8a" }, itemStyle: { color: "#0b4f8a" },
      label: { show: true, position: "top", formatter: function (p) { return percent(p.value); } }
    }]
  }, trend.map(function (r) { return window.location.pathname + "?year=" + r.year; }));

  var parts = data.parts.slice().reverse();  // ECharts draws the first category at the bottom
  draw("grafik-peringkat", {
    grid: { left: 8, right: 56, top: 8, bottom: 24, containLabel: true },
    tooltip: { trigger: "item", valueFormatter: percent },
    xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    yAxis: {
      type: "category", data: parts.map(function (p) { return p.name; }),
      axisLabel: { width: 140, overflow: "truncate", color: "#1b1f24" }
    },
    series: [{
      type: "bar", data: parts.map(function (p) { return p.pct; }), cursor: "pointer",
      itemStyle: { color: "#0b4f8a" }, barMaxWidth: 18,
      label: { show: true, position: "right", color: "#1b1f24",
               formatter: function (p) { return percent(p.value); } }
    }]
  }, parts.map(function (p) { return p.href; }));

  function resizeAll() { charts.forEach(function (chart) { chart.resize(); }); }
  window.addEventListener("resize", resizeAll);
  // A container that changes width without a window resize event (or before this ran) too.
  if (typeof ResizeObserver !== "undefined") {
    var observer = new ResizeObserver(resizeAll);
    charts.forEach(function (chart) { observer.observe(chart.getDom()); });
  }
}());

/* cohorts, registry, quality */
// Draws the data-quality page's outcomes per period (stacked bars); the table below holds
// the same figures for screen readers and keyboards.
(function () {
  "use strict";
  var source = document.getElementById("data-kualitas");
  var element = document.getElementById("grafik-kualitas");
  if (!source || !element || typeof echarts === "undefined") { return; }
  var periods = JSON.parse(source.textContent);
  var english = document.documentElement.lang === "en";
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var series = [
    ["applied", "Diterapkan", "Applied", "#1f6f3a"],
    ["duplicate", "Duplikat", "Duplicate", "#4a5562"],
    ["parked", "Ditahan", "Parked", "#b45309"],
    ["rejected", "Ditolak", "Rejected", "#a4161a"]
  ];
  var chart = echarts.init(element, null, { renderer: "svg" });
  chart.setOption({
    animation: !still,
    grid: { left: 8, right: 16, top: 40, bottom: 24, containLabel: true },
    legend: { top: 0, textStyle: { color: "#1b1f24" } },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: periods.map(function (p) { return p.label; }),
             axisLabel: { color: "#1b1f24" } },
    yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#1b1f24" } },
    series: series.map(function (s) {
      return {
        type: "bar", stack: "outcomes", name: english ? s[2] : s[1], barMaxWidth: 36,
        itemStyle: { color: s[3] }, data: periods.map(function (p) { return p[s[0]]; })
      };
    })
  });
  function resize() { chart.resize(); }
  window.addEventListener("resize", resize);
  if (typeof ResizeObserver !== "undefined") { new ResizeObserver(resize).observe(element); }
}());
