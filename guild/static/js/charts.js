// Draw the charts of a page from each box's data-chart JSON (the CSP allows no inline
// script). A spec is {kind: "line" | "bar" | "hbar", percent, decimals, categories, series}:
// counts get whole-number ticks unless `decimals` is set.
(() => {
  const boxes = document.querySelectorAll("[data-chart]");
  if (!boxes.length || !window.echarts) return;
  const COLOURS = ["#b3261e", "#1f6feb", "#2da44e", "#bf8700"];

  const axes = (spec) => {
    const horizontal = spec.kind === "hbar";
    const values = { type: "value", minInterval: spec.percent || spec.decimals ? 0 : 1 };
    if (spec.percent) {
      values.max = 100;
      values.axisLabel = { formatter: "{value}%" };
    }
    const categories = {
      type: "category",
      data: spec.categories,
      inverse: horizontal, // the first row of the table on top
      axisLabel: horizontal ? { width: 110, overflow: "truncate" } : { hideOverlap: true },
    };
    return horizontal ? { xAxis: values, yAxis: categories } : { xAxis: categories, yAxis: values };
  };

  const draw = (box) => {
    let spec;
    try {
      spec = JSON.parse(box.dataset.chart);
    } catch (error) {
      return null;
    }
    if (!spec.categories || !spec.categories.length) {
      box.hidden = true;
      return null;
    }
    const rows = spec.categories.length;
    // Set through the CSSOM: the CSP refuses style attributes written in the HTML.
    box.style.height = `${spec.kind === "hbar" ? Math.max(220, rows * 28 + 70) : 300}px`;
    const chart = window.echarts.init(box);
    chart.setOption({
      color: COLOURS,
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      ...axes(spec),
      series: spec.series.map((series) => ({
        name: series.name,
        type: spec.kind === "line" ? "line" : "bar",
        data: series.data,
        showSymbol: rows <= 40,
      })),
    });
    return chart;
  };

  const charts = Array.from(boxes, draw).filter(Boolean);
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
