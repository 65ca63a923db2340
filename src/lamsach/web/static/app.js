// lamsach web: the dashboard's trend chart (ECharts, served locally). HTMX does the rest.
(function () {
  function trendChart() {
    var node = document.getElementById("trend-chart");
    var data = document.getElementById("trend-data");
    if (!node || !data || typeof echarts === "undefined") return;
    var trend = JSON.parse(data.textContent);
    var words = JSON.parse(document.getElementById("trend-words").textContent);
    var series = trend.series.map(function (s) {
      return { name: s.name, type: "line", data: s.data, connectNulls: true, symbolSize: 6 };
    });
    if (trend.target !== null && trend.target !== undefined && series.length) {
      series[0].markLine = { silent: true, symbol: "none", data: [{ yAxis: trend.target * 100 }],
                             lineStyle: { type: "dashed", color: "#b00020" },
                             label: { position: "insideEndTop", formatter: words.target + " " + (trend.target * 100).toFixed(0) + "%" } };
    }
    var chart = echarts.init(node, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "–" : v.toFixed(1) + "%"; } },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 50, right: 20, top: 20, bottom: 60 },
      xAxis: { type: "category", data: trend.weeks },
      yAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10); }, max: 100,
               axisLabel: { formatter: "{value}%" } },
      series: series
    });
    chart.on("click", function (p) {
      var s = trend.series[p.seriesIndex];
      if (s && s.unit) window.location = "/queue?unit=" + encodeURIComponent(s.unit) + "&status=open";
    });
    window.addEventListener("resize", function () { chart.resize(); });
    node.dataset.ready = "true";
  }
  document.addEventListener("DOMContentLoaded", trendChart);
})();
