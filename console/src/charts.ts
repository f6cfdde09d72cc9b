/**
 * Small inline SVG charts, drawn here: lines over time, horizontal bars, and sparklines. Each is an
 * image with a spoken summary (`<title>`, `<desc>`), and the two larger ones come with their data as
 * a table, so that nothing a chart shows is for sighted readers only. Colours come from CSS classes
 * (`series-0`…), and each series also has its own dash pattern.
 */
import { h, svg, uid } from "./dom";
import { clock, count } from "./format";

export interface Series {
  name: string;
  values: number[];
}

/** Margins of a line chart's plot area, in pixels. */
const LINE = { height: 220, left: 44, right: 16, top: 12, bottom: 28 };
/** Room each time label of the axis needs. */
const TIME_LABEL_PX = 90;
/** The page's widest content (main's max-width), and what its padding and a figure's take from it. */
const PAGE_MAX_PX = 1200;
const GUTTERS_PX = 70;
/** From this width of the page, two charts sit side by side (see .chart-row). */
const TWO_COLUMNS_FROM_PX = 740;
const MIN_CHART_PX = 280;

/**
 * How wide a chart will be on screen, so that its coordinates are pixels and its text keeps its size:
 * the page's width less its margins, or half of it where charts sit in pairs.
 */
function layoutWidth(share: 1 | 0.5): number {
  const page = Math.min(window.innerWidth, PAGE_MAX_PX) - GUTTERS_PX;
  const width = share < 1 && page >= TWO_COLUMNS_FROM_PX ? page * share - 8 : page;
  return Math.max(MIN_CHART_PX, Math.round(width));
}

/** How many steps the axis up to `max` has: whole numbers where the counts are small. */
function gridSteps(max: number): number {
  if (max <= 5) return Math.max(1, Math.round(max));
  const lead = max / 10 ** Math.floor(Math.log10(max));
  return lead === 2 ? 4 : 5;
}

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** A sum and the peak of a series, in words. */
function summary(s: Series, times: string[], unit: string): string {
  const total = s.values.reduce((a, b) => a + b, 0);
  if (total === 0) return `${s.name}: none`;
  let peak = 0;
  s.values.forEach((v, i) => {
    if (v > (s.values[peak] ?? 0)) peak = i;
  });
  return `${s.name}: ${count(total)} in all, at most ${count(s.values[peak])} ${unit} (${clock(times[peak] ?? "")})`;
}

function figure(title: string, chart: SVGSVGElement, extra: Node[], titleId: string): HTMLElement {
  return h("figure", { class: "chart" }, h("figcaption", { id: titleId }, title), chart, ...extra);
}

/** The data of a chart as a table, folded away. */
function dataTable(caption: string, headers: string[], rows: (string | number)[][]): HTMLElement {
  const head = h("tr", {}, ...headers.map((x) => h("th", { scope: "col" }, x)));
  const body = h("tbody", {}, ...rows.map(([first, ...rest]) => h("tr", {}, h("th", { scope: "row" }, String(first)), ...rest.map((v) => h("td", { class: "num" }, typeof v === "number" ? count(v) : v)))));
  return h(
    "details",
    { class: "chart-data" },
    h("summary", {}, `${caption}: the data as a table`),
    h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": caption }, h("table", {}, h("thead", {}, head), body)),
  );
}

/**
 * Lines over time, one per series, against one axis: e.g. messages and events per minute. `times` are
 * the ISO minutes of the values.
 */
export function lineChart(title: string, times: string[], series: Series[], unit = "per minute"): HTMLElement {
  const { height, left, right, top, bottom } = LINE;
  const width = layoutWidth(1);
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const n = Math.max(times.length, 1);
  const x = (i: number) => left + (n === 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const titleId = uid("chart");
  const descId = uid("desc");
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${titleId} ${descId}`, class: "line-chart" });
  chart.append(svg("desc", { id: descId }, `Last ${times.length} minutes. ${series.map((s) => summary(s, times, unit)).join(". ")}.`));
  const steps = gridSteps(max);
  for (let g = 0; g <= steps; g++) {
    const v = (max * g) / steps;
    chart.append(
      svg("line", { x1: left, x2: width - right, y1: y(v), y2: y(v), class: "grid" }),
      svg("text", { x: left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" }, count(Math.round(v * 100) / 100)),
    );
  }
  const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor((width - left - right) / TIME_LABEL_PX))));
  times.forEach((t, i) => {
    // The last minute is always labelled; a regular label too close before it is left out.
    const regular = i % every === 0 && n - 1 - i >= every / 2;
    if (regular || i === n - 1) chart.append(svg("text", { x: x(i), y: height - 8, class: "axis", "text-anchor": i === 0 ? "start" : i === n - 1 ? "end" : "middle" }, clock(t)));
  });
  series.forEach((s, k) => {
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    chart.append(svg("polyline", { points, class: `line series-${k % 6}` }, svg("title", {}, s.name)));
  });
  const legend = h("ul", { class: "legend", "aria-hidden": "true" }, ...series.map((s, k) => h("li", {}, svg("svg", { viewBox: "0 0 24 8", class: "swatch" }, svg("line", { x1: 0, x2: 24, y1: 4, y2: 4, class: `line series-${k % 6}` })), s.name)));
  const rows = times.map((t, i) => [clock(t), ...series.map((s) => s.values[i] ?? 0)]);
  return figure(title, chart, [legend, dataTable(title, ["Minute", ...series.map((s) => s.name)], rows)], titleId);
}

/** Horizontal bars with their values: e.g. failures by reason, or latency percentiles. */
export function barChart(title: string, bars: { label: string; value: number }[], format: (v: number) => string = count, empty = "Nothing to show."): HTMLElement {
  const titleId = uid("chart");
  if (bars.length === 0) return h("figure", { class: "chart" }, h("figcaption", { id: titleId }, title), h("p", { class: "empty" }, empty));
  const rowH = 28;
  const width = layoutWidth(0.5);
  const labelW = Math.min(160, Math.round(width * 0.35));
  const valueW = 70;
  const height = bars.length * rowH + 8;
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  const descId = uid("desc");
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${titleId} ${descId}`, class: "bar-chart" });
  chart.append(svg("desc", { id: descId }, bars.map((b) => `${b.label}: ${format(b.value)}`).join(", ")));
  bars.forEach((b, i) => {
    const yTop = 4 + i * rowH;
    const w = Math.max(((width - labelW - valueW) * b.value) / max, b.value > 0 ? 2 : 0);
    chart.append(
      svg("text", { x: labelW - 8, y: yTop + rowH / 2 + 4, class: "axis", "text-anchor": "end" }, b.label),
      svg("rect", { x: labelW, y: yTop + 4, width: w.toFixed(1), height: rowH - 10, class: `bar series-${i % 6}` }),
      svg("text", { x: labelW + w + 6, y: yTop + rowH / 2 + 4, class: "value" }, format(b.value)),
    );
  });
  return figure(title, chart, [dataTable(title, ["", "Value"], bars.map((b) => [b.label, format(b.value)]))], titleId);
}

/** A word-sized line of values (a tenant's deliveries per minute), labelled for screen readers. */
export function sparkline(values: number[], label: string): SVGSVGElement {
  const width = 120;
  const height = 24;
  const max = Math.max(...values, 0) || 1;
  const n = Math.max(values.length - 1, 1);
  const points = values.map((v, i) => `${((i * width) / n).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(" ");
  return svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "sparkline", role: "img", "aria-label": label }, svg("polyline", { points, class: "line series-0" }));
}
