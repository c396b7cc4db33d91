import type * as Echarts from 'echarts';

/** Colour-blind-safe palette (Okabe–Ito), dark enough on white for chart marks. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
const TEXT = { color: '#1a1a1a', fontFamily: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif', fontSize: 12 };

/** The review page's four chart shapes, drawn to SVG on the server by ECharts. */
export interface ReviewCharts {
  groupedBars(title: string, categories: string[], series: Array<{ name: string; data: Array<number | null> }>, unit: string, markAt?: number): string;
  horizontalBars(title: string, labels: string[], values: number[]): string;
  timeline(title: string, from: string, to: string, streams: string[], series: Array<{ name: string; data: Array<[string, string]> }>): string;
  ratesAgainstGates(title: string, domains: string[], rates: Array<number | null>, gates: number[]): string;
}

/**
 * The charts over a loaded ECharts module. Rendering is server-side (no DOM, no animation); the
 * namespace declarations are dropped: inline in HTML the parser puts <svg> in its namespace, and
 * the page then holds no URL at all.
 */
export function reviewCharts(echarts: typeof Echarts): ReviewCharts {
  function renderSvg(option: Echarts.EChartsOption, width = 720, height = 320): string {
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
    try {
      chart.setOption({ animation: false, color: PALETTE, textStyle: TEXT, ...option });
      return chart.renderToSVGString().replace(/\s+xmlns(:xlink)?="[^"]*"/g, '');
    } finally {
      chart.dispose();
    }
  }

  return {
    groupedBars: (title, categories, series, unit, markAt) =>
      renderSvg({
        title: { text: title, left: 'center', textStyle: { ...TEXT, fontSize: 14 } },
        tooltip: {},
        legend: { bottom: 0, textStyle: TEXT },
        grid: { left: 56, right: 24, top: 40, bottom: 56 },
        xAxis: { type: 'category', data: categories, axisLabel: TEXT },
        yAxis: { type: 'value', name: unit, axisLabel: TEXT, nameTextStyle: TEXT },
        series: series.map((s, i) => ({
          type: 'bar',
          name: s.name,
          data: s.data,
          ...(i === 0 && markAt !== undefined
            ? { markLine: { symbol: 'none', silent: true, label: { formatter: `cap ${markAt}${unit}`, color: '#1a1a1a' }, lineStyle: { color: '#1a1a1a', type: 'dashed' }, data: [{ yAxis: markAt }] } }
            : {}),
        })),
      }),

    horizontalBars: (title, labels, values) =>
      renderSvg(
        {
          title: { text: title, left: 'center', textStyle: { ...TEXT, fontSize: 14 } },
          grid: { left: 180, right: 40, top: 40, bottom: 32 },
          xAxis: { type: 'value', minInterval: 1, axisLabel: TEXT },
          yAxis: { type: 'category', data: labels, inverse: true, axisLabel: TEXT },
          series: [{ type: 'bar', data: values, label: { show: true, position: 'right', color: '#1a1a1a' } }],
        },
        720,
        Math.max(160, 72 + labels.length * 28),
      ),

    timeline: (title, from, to, streams, series) =>
      renderSvg(
        {
          title: { text: title, left: 'center', textStyle: { ...TEXT, fontSize: 14 } },
          legend: { bottom: 0, textStyle: TEXT },
          grid: { left: 180, right: 32, top: 40, bottom: 64 },
          xAxis: { type: 'time', min: from, max: to, axisLabel: TEXT },
          yAxis: { type: 'category', data: streams, axisLabel: TEXT },
          series: series.map((s) => ({ type: 'scatter', name: s.name, data: s.data, symbolSize: 12 })),
        },
        720,
        Math.max(180, 120 + streams.length * 32),
      ),

    ratesAgainstGates: (title, domains, rates, gates) =>
      renderSvg({
        title: { text: title, left: 'center', textStyle: { ...TEXT, fontSize: 14 } },
        legend: { bottom: 0, textStyle: TEXT },
        grid: { left: 56, right: 24, top: 40, bottom: 56 },
        xAxis: { type: 'category', data: domains, axisLabel: TEXT },
        yAxis: { type: 'value', name: '%', min: 0, max: 100, axisLabel: TEXT, nameTextStyle: TEXT },
        series: [
          { type: 'bar', name: 'success rate', data: rates },
          { type: 'scatter', name: 'gate (min success rate)', data: gates, symbol: 'rect', symbolSize: [36, 4], itemStyle: { color: '#000000' } },
        ],
      }),
  };
}
