/**
 * Charts for the applications' reports: a Vega-Lite spec rendered to SVG by Vega (headless, no
 * canvas) and to PNG by resvg. Both files are written atomically.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from 'tensile/node';

export type ChartSpec = TopLevelSpec;

/** Renders `spec` to `<basePath>.svg` and `<basePath>.png` (white background, 2× scale). */
export async function writeChart(spec: ChartSpec, basePath: string): Promise<{ svg: string; png: string }> {
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG(2);
  view.finalize();
  const png = new Resvg(svg, { background: 'white', font: { loadSystemFonts: true } }).render().asPng();
  const paths = { svg: `${basePath}.svg`, png: `${basePath}.png` };
  await writeFileAtomic(paths.svg, new TextEncoder().encode(svg));
  await writeFileAtomic(paths.png, png);
  return paths;
}

export interface SeriesPoint {
  readonly series: string;
  readonly x: number;
  readonly y: number;
  /** Optional error bar half-width (e.g. one standard deviation). */
  readonly error?: number;
  /** Optional: lines of one group share a colour, and the legend names the groups (many lines stay readable). */
  readonly group?: string;
  /** Optional: lines with the same value share a dash pattern (e.g. training vs held-out data). */
  readonly dash?: string;
}

/** Past this many lines, the points on them only clutter the chart (unless `markPoints` says otherwise). */
const MAX_LINES_WITH_POINTS = 10;

/** A line chart, one line per series (coloured by series, or by group), optional dashes, error bars and log-scaled x. */
export function lineChart(
  points: readonly SeriesPoint[],
  options: { title: string; x: string; y: string; logX?: boolean; yDomain?: [number, number]; xDomain?: [number, number]; markPoints?: boolean },
): ChartSpec {
  const x = { field: 'x', type: 'quantitative', title: options.x, scale: { type: options.logX ? 'log' : 'linear', nice: false, ...(options.xDomain ? { domain: options.xDomain } : {}) } } as const;
  const y = { field: 'y', type: 'quantitative', title: options.y, scale: options.yDomain ? { domain: options.yDomain } : { zero: false } } as const;
  const grouped = points.some((p) => p.group !== undefined);
  const color = { field: grouped ? 'group' : 'series', type: 'nominal', title: null } as const;
  const detail = { field: 'series', type: 'nominal' } as const;
  const strokeDash = { field: 'dash', type: 'nominal', title: null } as const;
  const lineStyle = { ...(grouped ? { detail } : {}), ...(points.some((p) => p.dash !== undefined) ? { strokeDash } : {}) };
  const lines = new Set(points.map((p) => p.series)).size;
  const errorBars = points.some((p) => p.error !== undefined)
    ? [{ mark: { type: 'errorbar' }, encoding: { x, y: { field: 'low', type: 'quantitative', title: options.y }, y2: { field: 'high' }, color } } as const]
    : [];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title,
    width: 640,
    height: 380,
    data: { values: points.map((p) => ({ ...p, low: p.y - (p.error ?? 0), high: p.y + (p.error ?? 0) })) },
    layer: [{ mark: { type: 'line', point: options.markPoints ?? lines <= MAX_LINES_WITH_POINTS }, encoding: { x, y, color, ...lineStyle } }, ...errorBars],
  };
}

/** A confusion matrix as a heatmap with the counts written in the cells (rows: actual, columns: predicted). */
export function confusionChart(matrix: readonly (readonly number[])[], classNames: readonly string[], title: string): ChartSpec {
  const values = matrix.flatMap((row, actual) => row.map((count, predicted) => ({ actual: classNames[actual]!, predicted: classNames[predicted]!, count })));
  const x = { field: 'predicted', type: 'nominal', title: 'predicted', sort: [...classNames] } as const;
  const y = { field: 'actual', type: 'nominal', title: 'actual', sort: [...classNames] } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 70 * classNames.length + 80,
    height: 70 * classNames.length + 80,
    data: { values },
    layer: [
      { mark: 'rect', encoding: { x, y, color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' }, legend: null } } },
      { mark: { type: 'text', fontSize: 18 }, encoding: { x, y, text: { field: 'count', type: 'quantitative' } } },
    ],
  };
}
