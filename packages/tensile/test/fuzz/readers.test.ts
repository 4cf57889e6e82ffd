/**
 * Property-based fuzzing of every reader (issue #28: images, IDX, CSV, box files, tar, gzip, safetensors): real sample files are truncated, have bytes
 * flipped, header fields overwritten (with huge sizes among them) or data appended, and each reader
 * must then either throw its typed error (DataError, or ModelFileError for model files) naming the
 * file, at no negative or infinite offset, within a time bound — or return a well-formed result,
 * equal to decoding the original when the changed bytes are covered by a checksum (PNG chunks,
 * gzip, the safetensors data section).
 *
 * A bounded run by default (fixed seed, ~10 s); set TENSILE_FUZZ_RUNS (cases per reader and kind
 * of mutation) and optionally TENSILE_FUZZ_SEED for a long run, e.g.
 *   TENSILE_FUZZ_RUNS=5000 node --test packages/tensile/build/test/fuzz/readers.test.js
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { GifReader, GifWriter } from 'omggif';
import { Dense, Sequential } from '../../src/index.js';
import { parseBoxes } from '../../src/io/boxes.js';
import { decodeUtf8, readCsv } from '../../src/io/csv.js';
import { DataError } from '../../src/io/errors.js';
import { gunzip } from '../../src/io/gzip.js';
import { readIdx } from '../../src/io/idx.js';
import { decodeImage } from '../../src/io/image.js';
import '../../src/io/png.node.js';
import { readTar } from '../../src/io/tar.js';
import { ModelFileError, modelToBytes } from '../../src/saving/index.js';
import { decodeSafetensorArrays } from '../../src/saving/safetensors-format.js';
import { sampleBmp, sampleCsv, sampleGif, sampleIdx, sampleJpeg, samplePgm, samplePng, sampleTar } from '../helpers/sample-files.js';

const RUNS = Number(process.env['TENSILE_FUZZ_RUNS'] ?? 40);
const SEED = process.env['TENSILE_FUZZ_SEED'] !== undefined ? Number(process.env['TENSILE_FUZZ_SEED']) : process.env['TENSILE_FUZZ_RUNS'] !== undefined ? Date.now() % 2 ** 31 : 28;
/** Per case: a reader that checks declared sizes first never spends long on a tiny file. */
const TIME_BOUND_MS = 2000;
/** Per case: the largest image a mutated sample may decode to under the test's pixel limit. */
const MAX_PIXELS = 200_000;

/** What a reader returns, reduced to something `deepEqual` compares; it also asserts well-formedness. */
type Read = (bytes: Uint8Array, source: string) => Promise<unknown>;

interface Reader {
  readonly name: string;
  readonly sample: Uint8Array;
  readonly read: Read;
  /** First byte a checksum covers: a change at or after it that still reads must read as the original. */
  readonly checkedFrom?: number;
  /** Offsets of size fields, for the "huge declared size" mutations. */
  readonly sizeFields: readonly number[];
}

async function image(bytes: Uint8Array, source: string): Promise<unknown> {
  const decoded = decodeImage(bytes, source, { maxPixels: MAX_PIXELS });
  assert.equal(decoded.data.length, decoded.width * decoded.height * decoded.channels);
  assert.ok(decoded.width > 0 && decoded.height > 0 && decoded.width * decoded.height <= MAX_PIXELS);
  return { shape: decoded.shape, data: decoded.data };
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

const png = samplePng();
const model = modelToBytes(new Sequential([new Dense({ units: 3, inputShape: [4] })]));
const modelHeaderEnd = 8 + Number(new DataView(model.buffer, model.byteOffset).getBigUint64(0, true));

const readers: readonly Reader[] = [
  { name: 'PNG', sample: png, read: image, checkedFrom: 8, sizeFields: [16, 20] },
  { name: 'JPEG', sample: sampleJpeg(), read: image, sizeFields: [] },
  { name: 'BMP', sample: sampleBmp(), read: image, sizeFields: [2, 10, 18, 22, 34] },
  { name: 'GIF', sample: sampleGif(), read: image, sizeFields: [6, 8] },
  { name: 'PGM', sample: samplePgm(), read: image, sizeFields: [] },
  {
    name: 'IDX',
    sample: sampleIdx(),
    sizeFields: [4, 8, 12],
    read: async (bytes, source) => {
      const idx = await readIdx(bytes, source);
      assert.equal(idx.values.length, idx.shape.reduce((a, b) => a * b, 1));
      return { shape: idx.shape, values: [...idx.values] };
    },
  },
  {
    name: 'IDX.gz',
    sample: new Uint8Array(gzipSync(sampleIdx())),
    checkedFrom: 0,
    sizeFields: [],
    read: async (bytes, source) => {
      const idx = await readIdx(bytes, source);
      return { shape: idx.shape, values: [...idx.values] };
    },
  },
  {
    name: 'CSV',
    sample: sampleCsv(),
    sizeFields: [],
    read: async (bytes, source) => collect(readCsv(decodeUtf8([bytes], source), { source, types: { x: 'number', y: 'number', name: 'string' } })),
  },
  {
    name: 'boxes',
    sample: new TextEncoder().encode('# image x1 y1 x2 y2\nface.pgm 1 2 30 40\nscene.gif 5.5 6 70 80\n'),
    sizeFields: [],
    read: async (bytes, source) => parseBoxes((await collect(decodeUtf8([bytes], source))).join(''), source),
  },
  {
    name: 'tar',
    sample: sampleTar(),
    sizeFields: [124, 128],
    read: async (bytes, source) => [...(await readTar(bytes, source))].map(([name, data]) => [name, [...data]]),
  },
  {
    name: 'gzip',
    sample: new Uint8Array(gzipSync(sampleTar())),
    checkedFrom: 0,
    sizeFields: [],
    read: async (bytes, source) => [...(await gunzip(bytes, source))],
  },
  {
    name: 'safetensors',
    sample: model,
    checkedFrom: modelHeaderEnd,
    sizeFields: [0, 4],
    read: async (bytes, source) => {
      const { arrays } = decodeSafetensorArrays(bytes, source);
      return Object.entries(arrays).map(([name, a]) => [name, a.dtype, a.shape, [...a.values]]);
    },
  },
];

/** A change to a file, and the first byte it touches. */
interface Mutation {
  readonly describe: string;
  readonly from: number;
  apply(bytes: Uint8Array): Uint8Array;
}

function mutations(reader: Reader): Record<string, fc.Arbitrary<Mutation>> {
  const length = reader.sample.length;
  const headerEnd = Math.min(64, length - 4);
  const bigValues = fc.constantFrom(0, 1, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 30000);
  return {
    truncation: fc.nat(length - 1).map((keep) => ({ describe: `truncated to ${keep} bytes`, from: keep, apply: (b) => b.slice(0, keep) })),
    'byte flips': fc.array(fc.tuple(fc.nat(length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }).map((flips) => ({
      describe: `bytes ${flips.map(([at, x]) => `${at}^${x}`).join(', ')}`,
      from: Math.min(...flips.map(([at]) => at)),
      apply: (b) => {
        const out = b.slice();
        for (const [at, x] of flips) out[at]! ^= x;
        return out;
      },
    })),
    'header fields': fc
      .tuple(reader.sizeFields.length > 0 ? fc.oneof(fc.constantFrom(...reader.sizeFields), fc.nat(headerEnd)) : fc.nat(headerEnd), bigValues, fc.constantFrom(2, 4), fc.boolean())
      .map(([at, value, width, little]) => ({
        describe: `${width}-byte ${little ? 'LE' : 'BE'} ${value} at ${at}`,
        from: at,
        apply: (b) => {
          const out = b.slice();
          const view = new DataView(out.buffer);
          if (at + width > out.length) return out;
          if (width === 2) view.setUint16(at, value & 0xffff, little);
          else view.setUint32(at, value >>> 0, little);
          return out;
        },
      })),
    'appended data': fc.uint8Array({ minLength: 1, maxLength: 64 }).map((extra) => ({
      describe: `${extra.length} bytes appended`,
      from: length,
      apply: (b) => {
        const out = new Uint8Array(b.length + extra.length);
        out.set(b);
        out.set(extra, b.length);
        return out;
      },
    })),
  };
}

function isTypedError(error: unknown): error is DataError | ModelFileError {
  return error instanceof DataError || error instanceof ModelFileError;
}

describe(`readers under mutation (${RUNS} cases per reader and mutation, seed ${SEED})`, () => {
  for (const reader of readers) {
    it(`${reader.name}: a typed error naming the file, or a well-formed result`, async () => {
      const source = `fuzz/sample.${reader.name.toLowerCase()}`;
      const original = await reader.read(reader.sample, source);
      for (const [kind, arbitrary] of Object.entries(mutations(reader))) {
        await fc.assert(
          fc.asyncProperty(arbitrary, async (mutation) => {
            const started = performance.now();
            let result: unknown;
            try {
              result = await reader.read(mutation.apply(reader.sample), source);
            } catch (error) {
              assert.ok(isTypedError(error), `${kind} (${mutation.describe}): ${String(error)}`);
              assert.ok(error.message.startsWith(source), error.message);
              assert.doesNotMatch(error.message, /byte -|Infinity|NaN/);
              return;
            } finally {
              assert.ok(performance.now() - started < TIME_BOUND_MS, `${kind} (${mutation.describe}) took ${performance.now() - started} ms`);
            }
            if (reader.checkedFrom !== undefined && mutation.from >= reader.checkedFrom) {
              assert.deepEqual(result, original, `${kind} (${mutation.describe}) read as different data without an error`);
            }
          }),
          { numRuns: RUNS, seed: SEED, includeErrorInReport: true },
        );
      }
    });
  }
});

describe('the GIF LZW decoder', () => {
  it('decodes what omggif encodes exactly as omggif decodes it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 8 }), fc.integer(), (width, height, bits, seed) => {
        const colors = 1 << bits;
        const palette = Array.from({ length: colors }, (_, i) => (i * 0x1f3d5b + seed) & 0xffffff);
        const pixels = Array.from({ length: width * height }, (_, i) => Math.abs((i * 2654435761 + seed) | 0) % colors);
        const buffer = new Uint8Array(2048 + width * height * 3);
        const writer = new GifWriter(buffer, width, height, { palette });
        writer.addFrame(0, 0, width, height, pixels);
        const bytes = buffer.slice(0, writer.end());
        const expected = new Uint8Array(width * height * 4);
        new GifReader(bytes).decodeAndBlitFrameRGBA(0, expected);
        const decoded = decodeImage(bytes, 'gen.gif');
        assert.deepEqual([...decoded.data], [...expected].filter((_, i) => i % 4 !== 3));
      }),
      { numRuns: RUNS, seed: SEED, includeErrorInReport: true },
    );
  });
});
