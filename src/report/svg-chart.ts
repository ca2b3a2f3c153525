import { escapeXml } from './escape.js';

/** One named series of a chart: a value per category (null for none). */
export interface Series {
  name: string;
  values: readonly (number | null)[];
}

/** What a chart shows: categories along x (days), one bar or line per series (apps). */
export interface ChartData {
  title: string;
  categories: readonly string[];
  series: readonly Series[];
  /** Formats an axis tick value. */
  format?: (value: number) => string;
}

/** Colour-blind-safe palette (Okabe-Ito), cycled per series. */
const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
const size = { width: 760, height: 320, left: 64, right: 150, top: 36, bottom: 56 };
const plotWidth = size.width - size.left - size.right;
const plotHeight = size.height - size.top - size.bottom;

export function seriesColor(index: number): string {
  return palette[index % palette.length] as string;
}

/** A round axis maximum at or above `max` (1, 2 or 5 times a power of ten). */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

function y(value: number, top: number): number {
  return size.top + plotHeight - (value / top) * plotHeight;
}

function frame(data: ChartData, top: number, body: string[]): string {
  const format = data.format ?? ((v: number) => String(v));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size.width} ${size.height}" width="${size.width}" height="${size.height}" role="img" aria-label="${escapeXml(data.title)}">`,
    `<title>${escapeXml(data.title)}</title>`,
    `<text x="${size.left}" y="20" class="chart-title">${escapeXml(data.title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const value = (top * i) / 4;
    const ty = y(value, top).toFixed(1);
    parts.push(`<line x1="${size.left}" x2="${size.left + plotWidth}" y1="${ty}" y2="${ty}" class="grid"/>`);
    parts.push(`<text x="${size.left - 6}" y="${ty}" class="tick" text-anchor="end" dominant-baseline="middle">${escapeXml(format(value))}</text>`);
  }
  const band = plotWidth / Math.max(1, data.categories.length);
  data.categories.forEach((c, i) => {
    const cx = (size.left + band * (i + 0.5)).toFixed(1);
    parts.push(`<text x="${cx}" y="${size.top + plotHeight + 18}" class="tick" text-anchor="middle">${escapeXml(c)}</text>`);
  });
  parts.push(...body);
  data.series.forEach((s, i) => {
    const ly = size.top + 12 + i * 20;
    parts.push(`<rect x="${size.left + plotWidth + 16}" y="${ly - 9}" width="12" height="12" fill="${seriesColor(i)}"/>`);
    parts.push(`<text x="${size.left + plotWidth + 34}" y="${ly}" class="legend">${escapeXml(s.name)}</text>`);
  });
  parts.push(`<line x1="${size.left}" x2="${size.left + plotWidth}" y1="${size.top + plotHeight}" y2="${size.top + plotHeight}" class="axis"/>`, '</svg>');
  return parts.join('\n');
}

function maxOf(data: ChartData): number {
  return Math.max(0, ...data.series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
}

/**
 * A grouped bar chart as an inline SVG string: per category a group of bars, one per series,
 * with a value axis, gridlines and a legend. Styling comes from CSS classes (`grid`, `axis`,
 * `tick`, `legend`, `chart-title`) so the page decides fonts and colours of text.
 *
 * @example
 * barChart({ title: 'Events per day', categories: ['2026-11-20'], series: [{ name: 'shop', values: [120] }] });
 */
export function barChart(data: ChartData): string {
  const top = niceMax(maxOf(data));
  const band = plotWidth / Math.max(1, data.categories.length);
  const barWidth = (band * 0.8) / Math.max(1, data.series.length);
  const body: string[] = [];
  data.series.forEach((s, si) => {
    s.values.forEach((v, ci) => {
      if (v === null) return;
      const x = size.left + band * ci + band * 0.1 + barWidth * si;
      const by = y(v, top);
      const label = `${s.name} ${data.categories[ci] ?? ''}: ${(data.format ?? String)(v)}`;
      body.push(`<rect x="${x.toFixed(1)}" y="${by.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(size.top + plotHeight - by).toFixed(1)}" fill="${seriesColor(si)}"><title>${escapeXml(label)}</title></rect>`);
    });
  });
  return frame(data, top, body);
}

/**
 * A line chart as an inline SVG string: one polyline with point markers per series, broken
 * where a value is null.
 *
 * @example
 * lineChart({ title: 'CTR per day', categories: days, series, format: (v) => `${(v * 100).toFixed(0)}%` });
 */
export function lineChart(data: ChartData): string {
  const top = niceMax(maxOf(data));
  const band = plotWidth / Math.max(1, data.categories.length);
  const lines: string[] = [];
  const markers: string[] = [];
  data.series.forEach((s, si) => {
    const color = seriesColor(si);
    let run: string[] = [];
    const flush = (): void => {
      if (run.length > 1) lines.push(`<polyline points="${run.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
      run = [];
    };
    s.values.forEach((v, ci) => {
      if (v === null) return flush();
      const px = (size.left + band * (ci + 0.5)).toFixed(1);
      const py = y(v, top).toFixed(1);
      run.push(`${px},${py}`);
      const label = `${s.name} ${data.categories[ci] ?? ''}: ${(data.format ?? String)(v)}`;
      markers.push(`<circle cx="${px}" cy="${py}" r="3.5" fill="${color}"><title>${escapeXml(label)}</title></circle>`);
    });
    flush();
  });
  return frame(data, top, [...lines, ...markers]);
}
