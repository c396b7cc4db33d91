import type * as Echarts from 'echarts';
import { estimateTextWidth, LABEL_FONT_SIZE, legendHeight, wrappedLines } from './text-measure.js';

/** Colour-blind-safe palette (Okabe–Ito), dark enough on white for chart marks. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
/**
 * Arial's metrics first (Liberation Sans is Debian's metric twin of it), so the browser draws text
 * about as wide as the layout below measured it; the measurement allows for the wider DejaVu Sans too.
 */
const FONT = 'Liberation Sans, Arial, Helvetica, DejaVu Sans, sans-serif';
const TEXT = { color: '#1a1a1a', fontFamily: FONT, fontSize: LABEL_FONT_SIZE };
const WIDTH = 720;
/** The widest a category label may be before it wraps onto another line (px). */
const LABEL_WIDTH = 330;
const LINE = 15;
const TITLE_BAND = 36;

/** The review page's four chart shapes, drawn to SVG on the server by ECharts. */
export interface ReviewCharts {
  groupedBars(title: string, categories: string[], series: Array<{ name: string; data: Array<number | null> }>, unit: string, markAt?: number): string;
  horizontalBars(title: string, labels: string[], values: number[]): string;
  timeline(title: string, from: string, to: string, streams: string[], series: Array<{ name: string; data: Array<[string, string]> }>): string;
  ratesAgainstGates(title: string, domains: string[], rates: Array<number | null>, gates: number[]): string;
}

/** The legend under the title, laid out in rows by the same measurement; returns its option and height. */
function legendAt(names: string[]): { option: Echarts.LegendComponentOption; height: number } {
  const height = names.length ? legendHeight(names, WIDTH - 32) : 0;
  return {
    option: { show: names.length > 0, top: TITLE_BAND, left: 16, right: 16, itemGap: 20, itemWidth: 18, itemHeight: 12, textStyle: TEXT, data: names },
    height,
  };
}

/** Category labels wrap at word boundaries (the names are words), all shown: none is skipped for lack of room. */
const categoryLabel = (width: number) => ({ ...TEXT, interval: 0, hideOverlap: false, width, overflow: 'break' as const, lineHeight: LINE });

/** A row's height for labels that wrap onto `lines` lines. */
const rowHeight = (label: string, min: number) => Math.max(min, wrappedLines(label, LABEL_WIDTH) * LINE + 10);

/**
 * The charts over a loaded ECharts module. Rendering is server-side (no DOM, no animation). With no
 * canvas, ECharts guesses text widths from a Helvetica table, narrower than the fonts a browser may
 * pick, which is how labels came to be clipped and legends to run together: the layout measures with
 * `estimateTextWidth` instead (a little wider than DejaVu Sans), and every grid contains its labels.
 * The namespace declarations are dropped: inline in HTML the parser puts <svg> in its namespace, and
 * the page then holds no URL at all.
 */
export function reviewCharts(echarts: typeof Echarts): ReviewCharts {
  echarts.setPlatformAPI({ measureText: (text: string, font?: string) => ({ width: estimateTextWidth(text ?? '', font) }) });

  function renderSvg(option: Echarts.EChartsOption, height: number): string {
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height: Math.ceil(height) });
    try {
      chart.setOption({ animation: false, useUTC: true, color: PALETTE, textStyle: TEXT, ...option });
      return chart.renderToSVGString().replace(/\s+xmlns(:xlink)?="[^"]*"/g, '');
    } finally {
      chart.dispose();
    }
  }
  const titled = (text: string) => ({ text, left: 'center', top: 8, textStyle: { ...TEXT, fontSize: 14, fontWeight: 'bold' as const } });

  return {
    groupedBars: (title, categories, series, unit, markAt) => {
      const legend = legendAt(series.map((s) => s.name));
      const perCategory = Math.floor((WIDTH - 96) / Math.max(1, categories.length)) - 8;
      const labelLines = Math.max(1, ...categories.map((c) => wrappedLines(c, perCategory)));
      const top = TITLE_BAND + legend.height + 12;
      const plot = 220;
      return renderSvg(
        {
          title: titled(title),
          legend: legend.option,
          grid: { left: 16, right: 24, top, bottom: 12, containLabel: true },
          xAxis: { type: 'category', data: categories, axisLabel: categoryLabel(perCategory) },
          yAxis: { type: 'value', axisLabel: { ...TEXT, formatter: `{value}${unit}` } },
          series: series.map((s, i) => ({
            type: 'bar',
            name: s.name,
            data: s.data,
            ...(i === 0 && markAt !== undefined
              ? {
                  markLine: {
                    symbol: 'none',
                    silent: true,
                    // Inside the plot, above the line's end: outside it, the label ran past the chart's edge.
                    label: { ...TEXT, formatter: `cap ${markAt}${unit}`, position: 'insideEndTop' },
                    lineStyle: { color: '#1a1a1a', type: 'dashed' },
                    data: [{ yAxis: markAt }],
                  },
                }
              : {}),
          })),
        },
        top + plot + labelLines * LINE + 24,
      );
    },

    horizontalBars: (title, labels, values) => {
      const rows = labels.map((l) => rowHeight(l, 26));
      const top = TITLE_BAND + 12;
      return renderSvg(
        {
          title: titled(title),
          grid: { left: 16, right: 56, top, bottom: 8, containLabel: true },
          xAxis: { type: 'value', minInterval: 1, axisLabel: TEXT },
          yAxis: { type: 'category', data: labels, inverse: true, axisLabel: categoryLabel(LABEL_WIDTH) },
          series: [{ type: 'bar', data: values, barMaxWidth: 18, label: { show: true, position: 'right', ...TEXT } }],
        },
        top + rows.reduce((a, b) => a + b, 0) + 40,
      );
    },

    timeline: (title, from, to, streams, series) => {
      const legend = legendAt(series.map((s) => s.name));
      const rows = streams.map((s) => rowHeight(s, 32));
      const top = TITLE_BAND + legend.height + 12;
      return renderSvg(
        {
          title: titled(title),
          legend: legend.option,
          grid: { left: 16, right: 40, top, bottom: 8, containLabel: true },
          xAxis: { type: 'time', min: from, max: to, axisLabel: { ...TEXT, hideOverlap: true, formatter: '{MM}-{dd}' } },
          yAxis: { type: 'category', data: streams, axisLabel: categoryLabel(LABEL_WIDTH) },
          series: series.map((s) => ({ type: 'scatter', name: s.name, data: s.data, symbolSize: 12 })),
        },
        top + Math.max(64, rows.reduce((a, b) => a + b, 0)) + 40,
      );
    },

    // Domains down the side, not along the bottom: the axis along the bottom skipped the names it had no room for.
    ratesAgainstGates: (title, domains, rates, gates) => {
      const names = ['success rate', 'gate (min success rate)'];
      const legend = legendAt(names);
      const rows = domains.map((d) => rowHeight(d, 34));
      const top = TITLE_BAND + legend.height + 12;
      return renderSvg(
        {
          title: titled(title),
          legend: legend.option,
          grid: { left: 16, right: 40, top, bottom: 8, containLabel: true },
          // The unit on each label: an axis name at the end sat on the last label.
          xAxis: { type: 'value', min: 0, max: 100, axisLabel: { ...TEXT, formatter: '{value}%' } },
          yAxis: { type: 'category', data: domains, inverse: true, axisLabel: categoryLabel(LABEL_WIDTH) },
          series: [
            { type: 'bar', name: names[0], data: rates, barMaxWidth: 18 },
            { type: 'scatter', name: names[1], data: gates, symbol: 'rect', symbolSize: [4, 24], itemStyle: { color: '#000000' } },
          ],
        },
        top + Math.max(60, rows.reduce((a, b) => a + b, 0)) + 40,
      );
    },
  };
}
