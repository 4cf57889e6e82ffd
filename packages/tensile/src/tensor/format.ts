import type { Tensor } from './tensor.js';
import { formatShape } from './shape.js';

const EDGE = 3;
const THRESHOLD = 1000;

/** PyTorch-style printing: nested brackets, shared precision, elided middles for large tensors. */
export function formatTensor(t: Tensor): string {
  if (t.isDisposed) return `tensor(<disposed> shape=${formatShape(t.shape)}, dtype=${t.dtype})`;
  const values = t.dataSync();
  const elide = t.size > THRESHOLD;
  const isFloat = t.dtype === 'float32' || t.dtype === 'float64';
  const fmt = (v: number): string => {
    if (t.dtype === 'bool') return v ? 'true' : 'false';
    if (!isFloat) return String(v);
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-4) ? v.toExponential(4) : v.toFixed(4);
  };
  const strides: number[] = [];
  let s = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= t.shape[i]!;
  }
  const cells: string[] = [];
  const collect = (depth: number, offset: number): void => {
    if (depth === t.shape.length) {
      cells.push(fmt(values[offset]!));
      return;
    }
    const n = t.shape[depth]!;
    for (let i = 0; i < n; i++) {
      if (elide && n > 2 * EDGE && i === EDGE) i = n - EDGE;
      collect(depth + 1, offset + i * strides[depth]!);
    }
  };
  collect(0, 0);
  const width = Math.max(...cells.map((c) => c.length), 1);
  let next = 0;
  const render = (depth: number, indent: string): string => {
    if (depth === t.shape.length) return cells[next++]!.padStart(width);
    const n = t.shape[depth]!;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      if (elide && n > 2 * EDGE && i === EDGE) {
        parts.push('...');
        i = n - EDGE;
      }
      parts.push(render(depth + 1, indent + ' '));
    }
    const sep = depth === t.shape.length - 1 ? ', ' : `,${'\n'.repeat(t.shape.length - depth - 1)}${indent} `;
    return `[${parts.join(sep)}]`;
  };
  const body = render(0, '       ');
  const suffix = t.dtype === 'float32' ? '' : `, dtype=${t.dtype}`;
  const grad = t.gradFn ? `, gradFn=${t.gradFn.op}` : t.requiresGrad ? ', requiresGrad=true' : '';
  return `tensor(${body}${suffix}${grad})`;
}
