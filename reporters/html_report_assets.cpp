// The HTML report's static stylesheet and script. The script draws, per
// scenario group, a latency CDF and a histogram (Chart.js, logarithmic µs
// axis, one line per configuration) from the page's weaver-data JSON, then
// marks on each canvas whether it was painted and on <body> that it finished.
#include "weaver/reporters/html_report.hpp"

namespace weaver::reporters {

std::string_view html_report_style() {
  return R"css(
:root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 14px;
        color: #1d1d1f; background: #fff; }
body { margin: 1.5rem auto; max-width: 1500px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .6rem; }
h2 { font-size: 1.15rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem;
     border-bottom: 1px solid #d0d0d0; font-family: ui-monospace, monospace; }
h2#environment { font-family: inherit; }
table { border-collapse: collapse; margin: .4rem 0; }
th, td { border: 1px solid #dcdcdc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f6; font-weight: 600; }
table.context th { width: 7rem; }
table.context td { font-family: ui-monospace, monospace; font-size: 12px; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td.lines { white-space: pre-line; }
td.name { font-family: ui-monospace, monospace; font-size: 11px; min-width: 10rem;
          max-width: 18rem; white-space: normal; }
.scroll { overflow-x: auto; }
table.counters, table.environment { font-size: 12px; }
table.counters { white-space: nowrap; font-size: 11px; }
table.counters th, table.counters td { padding: .15rem .3rem; }
tr.failed td { background: #fff1f1; }
.error { color: #b00020; }
td.label { color: #8a5a00; white-space: normal; min-width: 8rem; }
td.error { white-space: normal; }
.note, .summary { color: #555; }
details { margin: .4rem 0; }
summary { cursor: pointer; color: #333; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 1rem;
          margin: .6rem 0; }
.chart { position: relative; height: 340px; border: 1px solid #ececec; border-radius: 4px;
         padding: .4rem; }
)css";
}

std::string_view html_report_script() {
  return R"js(
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('weaver-data').textContent);
  const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd',
                   '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
  // A logarithmic axis has no 0: delays below 1 ns are drawn at 1 ns.
  const smallestUs = 0.001;

  function colorOf(configuration) {
    const index = Math.max(0, data.configurations.indexOf(configuration));
    return palette[index % palette.length];
  }

  function microseconds(ns) { return Math.max(ns / 1000, smallestUs); }

  // [lower_ns, upper_ns, count, ...] -> [{lower, upper, count}, ...]
  function buckets(flat) {
    const list = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      list.push({lower: flat[i], upper: flat[i + 1], count: flat[i + 2]});
    }
    return list;
  }

  // Fraction of packets at or below each bucket's upper bound.
  function cdfPoints(series) {
    const list = buckets(series.buckets);
    const total = list.reduce((sum, b) => sum + b.count, 0);
    if (list.length === 0 || total === 0) return [];
    const points = [{x: microseconds(list[0].lower), y: 0}];
    let seen = 0;
    for (const b of list) {
      seen += b.count;
      points.push({x: microseconds(b.upper), y: seen / total});
    }
    return points;
  }

  // weaver's buckets are narrow (1/1024 of a power of two), so a run's
  // packets are spread thin over them: the histogram sums them into bins of
  // equal width on the logarithmic axis, drawn as steps.
  const binsPerDecade = 20;

  function binOf(us) { return Math.floor(Math.log10(us) * binsPerDecade); }
  function binEdge(bin) { return Math.pow(10, bin / binsPerDecade); }

  function histogramPoints(series) {
    const counts = new Map();
    for (const b of buckets(series.buckets)) {
      const bin = binOf(microseconds((b.lower + b.upper) / 2));
      counts.set(bin, (counts.get(bin) || 0) + b.count);
    }
    if (counts.size === 0) return [];
    const bins = [...counts.keys()];
    const first = Math.min(...bins);
    const last = Math.max(...bins);
    const points = [{x: binEdge(first), y: 0}];
    for (let bin = first; bin <= last; ++bin) {
      const count = counts.get(bin) || 0;
      points.push({x: binEdge(bin), y: count}, {x: binEdge(bin + 1), y: count});
    }
    points.push({x: binEdge(last + 1), y: 0});
    return points;
  }

  // Labels at 1, 2 and 5 times a power of ten only, so they never overlap.
  function logTick(value) {
    const exponent = Math.floor(Math.log10(value) + 1e-9);
    const mantissa = value / Math.pow(10, exponent);
    const rounded = Math.round(mantissa);
    if (Math.abs(mantissa - rounded) > 1e-6 || ![1, 2, 5].includes(rounded)) return '';
    return Number(value.toPrecision(3)).toLocaleString('en-US');
  }

  function chartOptions(title, yAxis) {
    return {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: {mode: 'nearest', axis: 'x', intersect: false},
      elements: {point: {radius: 0, hoverRadius: 3}, line: {borderWidth: 1.6, tension: 0}},
      plugins: {
        title: {display: true, text: title, font: {size: 13, weight: '600'}},
        legend: {position: 'bottom', labels: {boxWidth: 14, boxHeight: 2}},
      },
      scales: {
        x: {
          type: 'logarithmic',
          title: {display: true, text: 'PIF \u2192 VIF latency (\u00b5s)'},
          ticks: {callback: logTick, autoSkip: false, maxRotation: 0},
        },
        y: yAxis,
      },
    };
  }

  function drawChart(canvas, group) {
    const cdf = canvas.dataset.kind === 'cdf';
    const datasets = group.series.map((series) => ({
      label: series.configuration,
      data: cdf ? cdfPoints(series) : histogramPoints(series),
      borderColor: colorOf(series.configuration),
      backgroundColor: colorOf(series.configuration),
    }));
    const yAxis = cdf
        ? {type: 'linear', min: 0, max: 1, title: {display: true, text: 'fraction of packets'}}
        : {type: 'linear', beginAtZero: true, title: {display: true, text: 'packets per 1/' + binsPerDecade + ' decade'}};
    const title = (cdf ? 'Latency CDF' : 'Latency histogram') + ' \u2014 ' + group.key;
    return new Chart(canvas.getContext('2d'), {type: 'line', data: {datasets},
                                               options: chartOptions(title, yAxis)});
  }

  function isPainted(canvas) {
    if (canvas.width === 0 || canvas.height === 0) return false;
    const context = canvas.getContext('2d');
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let alpha = 3; alpha < pixels.length; alpha += 4) {
      if (pixels[alpha] !== 0) return true;
    }
    return false;
  }

  let chartsDrawn = 0;
  if (typeof Chart !== 'undefined') {
    for (const canvas of document.querySelectorAll('canvas[data-group]')) {
      drawChart(canvas, data.groups[Number(canvas.dataset.group)]);
      chartsDrawn += 1;
    }
  }
  for (const canvas of document.querySelectorAll('canvas')) {
    canvas.dataset.painted = isPainted(canvas) ? 'true' : 'false';
  }
  document.body.dataset.chartsDrawn = String(chartsDrawn);
  document.body.dataset.ready = 'true';
})();
)js";
}

}  // namespace weaver::reporters
