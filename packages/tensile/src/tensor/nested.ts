import { ShapeError, ValueError } from '../errors.js';
import type { DType, TypedArray } from './dtype.js';
import type { Shape } from './shape.js';
import { formatShape } from './shape.js';

export type NestedArray = number | boolean | NestedArray[];

/** Shape and flat values of a nested array; throws on ragged input, naming the path. */
export function flattenNested(values: NestedArray, op: string): { shape: number[]; flat: number[] } {
  const shape: number[] = [];
  let probe: NestedArray = values;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0] ?? 0;
  }
  const flat: number[] = [];
  const walk = (v: NestedArray, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new ShapeError(`${op}: ragged nested array at ${path || 'root'}: expected a number`);
      if (typeof v === 'boolean') flat.push(v ? 1 : 0);
      else if (typeof v === 'number') flat.push(v);
      else throw new ValueError(`${op}: expected a number at ${path || 'root'}, got ${typeof v}`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ShapeError(
        `${op}: ragged nested array at ${path || 'root'}: expected ${shape[depth]} elements, got ${Array.isArray(v) ? v.length : 'a number'}`,
      );
    }
    for (let i = 0; i < v.length; i++) walk(v[i]!, depth + 1, `${path}[${i}]`);
  };
  walk(values, 0, '');
  return { shape, flat };
}

/** Nested arrays from flat values (booleans for bool). */
export function toNested(values: TypedArray, shape: Shape, dtype: DType): NestedArray {
  const read = (i: number): number | boolean => (dtype === 'bool' ? values[i] !== 0 : values[i]!);
  if (shape.length === 0) return read(0);
  let offset = 0;
  const build = (depth: number): NestedArray[] => {
    const out: NestedArray[] = [];
    for (let i = 0; i < shape[depth]!; i++) {
      out.push(depth === shape.length - 1 ? read(offset++) : build(depth + 1));
    }
    return out;
  };
  if (values.length !== shape.reduce((a, b) => a * b, 1)) throw new ShapeError(`toArray: ${values.length} values for shape ${formatShape(shape)}`);
  return build(0);
}
