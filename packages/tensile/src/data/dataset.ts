/**
 * A lazy, re-iterable, typed stream of elements: the input pipeline of Tensile.
 *
 * Nothing runs until the dataset is iterated (`for await`, `toArray`, or `model.fit`). Every
 * iteration is a fresh pass from the source, so a dataset can be iterated once per epoch.
 *
 * ```ts
 * const train = Dataset.from(paths)
 *   .shuffle(1000, 42)
 *   .map(async (path) => decode(await read(path)), { parallel: 8 })
 *   .batch(32)
 *   .prefetch(2);
 * for await (const { x, y } of train) { ... }
 * ```
 */
import { ValueError } from '../errors.js';
import { Generator } from '../tensor/random.js';
import { collate, unbatch, type Batchable, type Batched, type TensorTree } from './collate.js';
import { checkOptions, optionNames } from '../options.js';

export interface MapOptions {
  /** How many calls of an async map function may run at once (order is kept). Default 1. */
  readonly parallel?: number;
}

export interface BatchOptions {
  /** Drop a last batch smaller than `size` (default false: keep it). */
  readonly dropRemainder?: boolean;
}

export interface ShuffleOptions {
  /** Draw a new order on every pass (epoch), still reproducible from the seed. Default true. */
  readonly reshuffleEachIteration?: boolean;
}

export interface SplitOptions {
  /** Fraction of the elements that go to `validation` (0..1). */
  readonly fraction: number;
  /** Seed of the random assignment; the same seed gives the same split. Default 0. */
  readonly seed?: number;
}

const MAP_OPTION_NAMES = optionNames<MapOptions>()('parallel');

/** The element type of a Dataset. */
export type ElementOf<D> = D extends Dataset<infer E> ? E : never;

type Source<T> = Iterable<T> | AsyncIterable<T>;

export class Dataset<T> implements AsyncIterable<T> {
  private constructor(private readonly open: () => AsyncIterable<T>) {}

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.open()[Symbol.asyncIterator]();
  }

  /** A dataset whose every pass runs `pass` over a fresh pass of this one. */
  private derive<U>(pass: (source: Dataset<T>) => AsyncIterable<U>): Dataset<U> {
    return new Dataset(() => pass(this));
  }

  /**
   * Elements of an array, typed array or any iterable. Arrays re-iterate every pass; a one-shot
   * iterator yields its elements on the first pass only — use `fromGenerator` for those.
   */
  static from<T>(items: Source<T>): Dataset<T> {
    return new Dataset(() => toAsync(items));
  }

  /**
   * Rows of tensors sliced along their first axis, keeping the structure:
   * `Dataset.fromTensors({ x, y })` with x `[n, 4]` and y `[n]` gives n elements `{x: [4], y: []}`.
   */
  static fromTensors<T extends TensorTree>(tensors: T): Dataset<T> {
    let rows: T[] | undefined;
    return new Dataset(() => toAsync((rows ??= unbatch(tensors))));
  }

  /** Calls `make` at the start of every pass, so generator-backed datasets re-iterate. */
  static fromGenerator<T>(make: () => Source<T>): Dataset<T> {
    return new Dataset(() => toAsync(make()));
  }

  /** Tuples of the elements of several datasets, in step; ends with the shortest. */
  static zip<const D extends readonly Dataset<unknown>[]>(datasets: D): Dataset<{ -readonly [K in keyof D]: ElementOf<D[K]> }> {
    type Zipped = { -readonly [K in keyof D]: ElementOf<D[K]> };
    return new Dataset(async function* (): AsyncGenerator<Zipped> {
      const iterators = datasets.map((d) => d[Symbol.asyncIterator]());
      try {
        while (true) {
          const results = await Promise.all(iterators.map((it) => it.next()));
          if (results.some((r) => r.done)) return;
          yield results.map((r) => r.value) as Zipped;
        }
      } finally {
        await Promise.all(iterators.map((it) => it.return?.()));
      }
    });
  }

  /** Applies `fn` to each element; async functions may overlap up to `parallel` at once, order kept. */
  map<U>(fn: (element: T, index: number) => U | Promise<U>, options: MapOptions = {}): Dataset<Awaited<U>> {
    checkOptions('Dataset.map', options, MAP_OPTION_NAMES);
    const parallel = options.parallel ?? 1;
    assertPositiveInteger(parallel, 'map: parallel');
    return this.derive(async function* (source) {
      const pending: Promise<Awaited<U>>[] = [];
      let index = 0;
      for await (const element of source) {
        const result = Promise.resolve(fn(element, index++));
        // Rejections surface when the promise is awaited in order below; this only keeps Node from
        // reporting a later element's rejection as unhandled while an earlier one is still awaited.
        result.catch(() => undefined);
        pending.push(result);
        if (pending.length >= parallel) yield await pending.shift()!;
      }
      while (pending.length > 0) yield await pending.shift()!;
    });
  }

  filter<S extends T>(predicate: (element: T) => element is S): Dataset<S>;
  filter(predicate: (element: T) => boolean | Promise<boolean>): Dataset<T>;
  filter(predicate: (element: T) => boolean | Promise<boolean>): Dataset<T> {
    return this.derive(async function* (source) {
      for await (const element of source) if (await predicate(element)) yield element;
    });
  }

  /**
   * Shuffles through a buffer of `bufferSize` elements (a buffer as large as the dataset gives a
   * uniform shuffle). With a seed the order is reproducible; each pass draws a new order unless
   * `reshuffleEachIteration` is false.
   */
  shuffle(bufferSize: number, seed?: number, options: ShuffleOptions = {}): Dataset<T> {
    assertPositiveInteger(bufferSize, 'shuffle: bufferSize');
    const baseSeed = seed ?? Math.floor(Math.random() * 0x7fffffff);
    const reshuffle = options.reshuffleEachIteration ?? true;
    let pass = 0;
    return this.derive(async function* (source) {
      const random = new Generator(reshuffle ? baseSeed + pass++ * 0x9e3779b9 : baseSeed);
      const buffer: T[] = [];
      for await (const element of source) {
        if (buffer.length < bufferSize) {
          buffer.push(element);
          continue;
        }
        const slot = random.int(0, bufferSize);
        const out = buffer[slot]!;
        buffer[slot] = element;
        yield out;
      }
      yield* random.shuffle(buffer);
    });
  }

  /** Groups consecutive elements into arrays of `size` (the tensor-free form of `batch`). */
  chunk(size: number, options: BatchOptions = {}): Dataset<T[]> {
    assertPositiveInteger(size, 'batch: size');
    return this.derive(async function* (source) {
      let group: T[] = [];
      for await (const element of source) {
        group.push(element);
        if (group.length === size) {
          yield group;
          group = [];
        }
      }
      if (group.length > 0 && !options.dropRemainder) yield group;
    });
  }

  /**
   * Groups `size` elements into one batch: tensors are stacked on a new first axis, numbers and
   * typed arrays become tensors, images become NHWC tensors, and records/tuples are batched field by
   * field (`{x, y}` elements give `{x: Tensor, y: Tensor}` batches).
   */
  batch<E extends Batchable>(this: Dataset<E>, size: number, options: BatchOptions = {}): Dataset<Batched<E>> {
    const groups = this.chunk(size, options);
    // A hand-written iterator rather than an async generator, and `yielded()` rather than an object
    // literal: both make TypeScript expand Batched<E> for a generic E, a recursion it gives up on (TS2589).
    return new Dataset<Batched<E>>(() => ({
      [Symbol.asyncIterator]: (): AsyncIterator<Batched<E>> => {
        const iterator = groups[Symbol.asyncIterator]();
        return {
          next: async (): Promise<IteratorResult<Batched<E>>> => {
            const group = await iterator.next();
            return group.done ? { done: true, value: undefined } : yielded(collate<E>(group.value));
          },
          return: async (): Promise<IteratorResult<Batched<E>>> => {
            await iterator.return?.();
            return { done: true, value: undefined };
          },
        };
      },
    }));
  }

  /** Keeps up to `count` elements computed ahead of the consumer, so decoding overlaps training. */
  prefetch(count: number): Dataset<T> {
    assertPositiveInteger(count, 'prefetch: count');
    return this.derive(async function* (source) {
      const iterator = source[Symbol.asyncIterator]();
      const ahead: Promise<IteratorResult<T>>[] = [];
      try {
        while (true) {
          while (ahead.length < count) {
            const next = iterator.next();
            next.catch(() => undefined); // awaited in order below; see map()
            ahead.push(next);
          }
          const result = await ahead.shift()!;
          if (result.done) return;
          yield result.value;
        }
      } finally {
        await iterator.return?.();
      }
    });
  }

  /** Passes over the dataset `count` times (forever when omitted). */
  repeat(count?: number): Dataset<T> {
    if (count !== undefined && !(Number.isInteger(count) && count >= 0)) {
      throw new ValueError(`repeat: count must be a non-negative integer, got ${count}`);
    }
    return this.derive(async function* (source) {
      for (let pass = 0; count === undefined || pass < count; pass++) yield* source;
    });
  }

  take(count: number): Dataset<T> {
    assertNonNegativeInteger(count, 'take: count');
    return this.derive(async function* (source) {
      if (count === 0) return;
      let taken = 0;
      for await (const element of source) {
        yield element;
        if (++taken >= count) return;
      }
    });
  }

  skip(count: number): Dataset<T> {
    assertNonNegativeInteger(count, 'skip: count');
    return this.derive(async function* (source) {
      let seen = 0;
      for await (const element of source) if (seen++ >= count) yield element;
    });
  }

  /** This dataset's elements, then `other`'s. */
  concatenate(other: Dataset<T>): Dataset<T> {
    return this.derive(async function* (source) {
      yield* source;
      yield* other;
    });
  }

  /** Keeps the elements in memory after the first complete pass; later passes read from memory. */
  cache(): Dataset<T> {
    let stored: readonly T[] | undefined;
    return this.derive(async function* (source) {
      if (stored) {
        yield* stored;
        return;
      }
      const items: T[] = [];
      for await (const element of source) {
        items.push(element);
        yield element;
      }
      stored = items; // only a pass that ran to the end is complete
    });
  }

  /**
   * Splits into train and validation parts: exactly `round(n * fraction)` elements, chosen by a
   * seeded permutation, go to validation; both keep the source order. Counting costs one pass over
   * the source, so split before expensive maps (e.g. split file paths, then decode).
   */
  split(options: SplitOptions): { train: Dataset<T>; validation: Dataset<T> } {
    const { fraction, seed = 0 } = options;
    if (!(fraction >= 0 && fraction <= 1)) throw new ValueError(`split: fraction must be in [0, 1], got ${fraction}`);
    let validationIndices: Promise<Set<number>> | undefined;
    const chooseValidation = async (): Promise<Set<number>> => {
      const total = await this.count();
      const order = new Generator(seed).shuffle(Array.from({ length: total }, (_, i) => i));
      return new Set(order.slice(0, Math.round(total * fraction)));
    };
    const part = (inValidation: boolean): Dataset<T> =>
      this.derive(async function* (source) {
        validationIndices ??= chooseValidation();
        const chosen = await validationIndices;
        let index = 0;
        for await (const element of source) if (chosen.has(index++) === inValidation) yield element;
      });
    return { train: part(false), validation: part(true) };
  }

  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const element of this) items.push(element);
    return items;
  }

  async count(): Promise<number> {
    let total = 0;
    for await (const _element of this) total++;
    return total;
  }

  async forEach(fn: (element: T, index: number) => void | Promise<void>): Promise<void> {
    let index = 0;
    for await (const element of this) await fn(element, index++);
  }
}

function yielded<V>(value: V): IteratorYieldResult<V> {
  return { done: false, value };
}

async function* toAsync<T>(items: Source<T>): AsyncGenerator<T> {
  yield* items;
}

function assertPositiveInteger(value: number, what: string): void {
  if (!(Number.isInteger(value) && value > 0)) throw new ValueError(`${what} must be a positive integer, got ${value}`);
}

function assertNonNegativeInteger(value: number, what: string): void {
  if (!(Number.isInteger(value) && value >= 0)) throw new ValueError(`${what} must be a non-negative integer, got ${value}`);
}
