/**
 * Line charts on a canvas, for the demo page and the training dashboard. Plain DOM code with no
 * imports, so a page can load the compiled module as it is.
 */
export function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas context');
  return ctx;
}

/** A series of a chart: values at steps 0, 1, 2 … or, with `at`, at those steps (drawn as dots too). */
export interface Series {
  readonly values: readonly number[];
  readonly at?: readonly number[];
  readonly color: string;
  readonly label: string;
}

/** A line chart over training steps, y from 0 to `top` (or the data's maximum). */
export function drawChart(canvas: HTMLCanvasElement, series: readonly Series[], top?: number): void {
  const ctx = context2d(canvas);
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const max = top ?? Math.max(1e-6, ...series.flatMap((s) => s.values).filter(Number.isFinite));
  const lastStep = Math.max(1, ...series.map((s) => s.at?.at(-1) ?? s.values.length - 1));
  ctx.strokeStyle = '#ccc';
  ctx.strokeRect(30.5, 10.5, width - 40, height - 30);
  ctx.fillStyle = '#555';
  ctx.font = '11px sans-serif';
  ctx.fillText(String(Number(max.toPrecision(3))), 2, 16);
  ctx.fillText('0', 18, height - 20);
  series.forEach((s, k) => {
    ctx.fillStyle = s.color;
    ctx.strokeStyle = s.color;
    ctx.fillText(s.label, 40 + k * 140, height - 5);
    const points = s.values.map((v, i) => [30 + ((width - 40) * (s.at?.[i] ?? i)) / lastStep, 10 + (height - 30) * (1 - Math.min(v, max) / max)] as const);
    ctx.beginPath();
    // A missing value (NaN) breaks the line.
    points.forEach(([x, y], i) => (i === 0 || !Number.isFinite(points[i - 1]![1]) ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
    ctx.stroke();
    if (s.at) for (const [x, y] of points) if (Number.isFinite(y)) ctx.fillRect(x - 3, y - 3, 6, 6);
  });
}
