/**
 * Turns a group of dataset elements into one batch of tensors. This is the only place where the
 * data pipeline meets tensors: readers and transforms work on plain typed arrays.
 */
import { ShapeError, ValueError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { allocArray, type DType, type TypedArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { RawImage, type PixelArray } from '../io/raw-image.js';

/** A leaf that becomes one tensor per batch. */
export type BatchLeaf = Tensor | number | Float32Array | Float64Array | Int32Array | Uint8Array | RawImage<PixelArray>;

/** What `Dataset.batch` accepts: leaves, and tuples or records of them (nested). */
export type Batchable = BatchLeaf | readonly Batchable[] | { readonly [field: string]: Batchable };

/** The batch type of an element type: every leaf becomes a Tensor, structure is kept. */
export type Batched<T> = T extends BatchLeaf ? Tensor : { -readonly [K in keyof T]: Batched<T[K]> };

/**
 * Stacks `elements` on a new first axis:
 * - Tensor → same dtype, shape `[n, ...shape]`;
 * - number → float32 `[n]`;
 * - Float32Array / Float64Array / Uint8Array → float32 `[n, length]`; Int32Array → int32 `[n, length]`;
 * - RawImage → float32 NHWC `[n, height, width, channels]`;
 * - tuples and records → the same structure with each field collated.
 */
export function collate<E extends Batchable>(elements: readonly E[]): Batched<E> {
  if (elements.length === 0) throw new ValueError('batch: cannot collate an empty group');
  return collateAny(elements) as Batched<E>;
}

type Collated = Tensor | Collated[] | { [field: string]: Collated };

function collateAny(elements: readonly Batchable[]): Collated {
  const first = elements[0]!;
  if (first instanceof Tensor) return stackLeaves(elements, first.shape, first.dtype, (e) => asTensor(e).dataSync());
  if (typeof first === 'number') return tensor(Float32Array.from(elements, asNumber), [elements.length]);
  if (first instanceof RawImage) return stackLeaves(elements, first.shape, 'float32', (e) => asImage(e).data);
  if (ArrayBuffer.isView(first)) {
    const dtype: DType = first instanceof Int32Array ? 'int32' : 'float32';
    return stackLeaves(elements, [first.length], dtype, (e) => asTypedArray(e));
  }
  if (Array.isArray(first)) {
    return first.map((_, position) => collateAny(elements.map((e) => fieldOf(e, position))));
  }
  const record: { [field: string]: Collated } = {};
  for (const field of Object.keys(first)) record[field] = collateAny(elements.map((e) => fieldOf(e, field)));
  return record;
}

/** One allocation per batch: copies each element's values into place, checking equal shapes. */
function stackLeaves(
  elements: readonly Batchable[],
  shape: readonly number[],
  dtype: DType,
  valuesOf: (element: Batchable) => ArrayLike<number>,
): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const out: TypedArray = allocArray(dtype, elements.length * size);
  elements.forEach((element, index) => {
    const values = valuesOf(element);
    const elementShape = element instanceof Tensor || element instanceof RawImage ? element.shape : [values.length];
    if (values.length !== size || !elementShape.every((d, axis) => d === shape[axis])) {
      throw new ShapeError(`batch: element ${index} has shape [${elementShape.join(', ')}], element 0 has [${shape.join(', ')}]`);
    }
    out.set(values, index * size);
  });
  return tensor(out, [elements.length, ...shape]);
}

function fieldOf(element: Batchable, key: string | number): Batchable {
  const value = (element as { readonly [key: string]: Batchable | undefined })[key];
  if (value === undefined) throw new ShapeError(`batch: an element lacks field ${JSON.stringify(key)} that element 0 has`);
  return value;
}

function mismatch(element: Batchable): never {
  throw new ShapeError(`batch: elements differ in kind (${describe(element)} among elements of another kind)`);
}

function describe(element: Batchable): string {
  return element instanceof Tensor ? 'Tensor' : element?.constructor?.name ?? typeof element;
}

function asTensor(element: Batchable): Tensor {
  return element instanceof Tensor ? element : mismatch(element);
}

function asNumber(element: Batchable): number {
  return typeof element === 'number' ? element : mismatch(element);
}

function asImage(element: Batchable): RawImage<PixelArray> {
  return element instanceof RawImage ? element : mismatch(element);
}

function asTypedArray(element: Batchable): ArrayLike<number> {
  return ArrayBuffer.isView(element) && !(element instanceof DataView) ? (element as ArrayLike<number>) : mismatch(element);
}

/** Tensors, or tuples and records of them: what `Dataset.fromTensors` slices into rows. */
export type TensorTree = Tensor | readonly TensorTree[] | { readonly [field: string]: TensorTree };

/**
 * The inverse of collate: splits every tensor of `tree` along its first axis into rows, keeping the
 * structure (`{x: [n, 4], y: [n]}` → n elements `{x: [4], y: []}`). All tensors need the same length.
 */
export function unbatch<T extends TensorTree>(tree: T): T[] {
  const leaves: Tensor[] = [];
  collectLeaves(tree, leaves);
  if (leaves.length === 0) throw new ValueError('fromTensors: no tensors given');
  const count = leaves[0]!.shape[0];
  if (count === undefined) throw new ShapeError('fromTensors: tensors must have a first axis to slice');
  for (const leaf of leaves) {
    if (leaf.shape[0] !== count) throw new ShapeError(`fromTensors: first axes differ (${leaf.shape[0]} vs ${count})`);
  }
  const values = leaves.map((leaf) => leaf.dataSync());
  return Array.from({ length: count }, (_, row) => {
    let next = 0;
    const rowOf = (leaf: Tensor): Tensor => {
      const rowSize = leaf.size / count;
      return tensor(values[next++]!.slice(row * rowSize, (row + 1) * rowSize), leaf.shape.slice(1));
    };
    return mapLeaves(tree, rowOf) as T;
  });
}

function collectLeaves(tree: TensorTree, out: Tensor[]): void {
  if (tree instanceof Tensor) out.push(tree);
  else if (Array.isArray(tree)) for (const item of tree) collectLeaves(item, out);
  else for (const value of Object.values(tree)) collectLeaves(value, out);
}

/** Rebuilds `tree` with each tensor replaced, visiting leaves in collectLeaves order. */
function mapLeaves(tree: TensorTree, fn: (leaf: Tensor) => Tensor): TensorTree {
  if (tree instanceof Tensor) return fn(tree);
  if (Array.isArray(tree)) return tree.map((item: TensorTree) => mapLeaves(item, fn));
  return Object.fromEntries(Object.entries(tree).map(([key, value]) => [key, mapLeaves(value, fn)]));
}
