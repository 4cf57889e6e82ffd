/**
 * Gzip in the browser and in Node alike, through the standard `DecompressionStream`: readers can
 * accept `.gz` bytes without a Node-only zlib import.
 */
import { DataError } from './errors.js';
import { type DataLimits, limitOf } from './limits.js';

/** True when `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses a whole gzip stream; a truncated or corrupt stream, or one that expands beyond
 * `limits.maxBytes`, is a DataError naming `source`.
 */
export async function gunzip(bytes: Uint8Array, source: string, limits: DataLimits = {}): Promise<Uint8Array> {
  if (!isGzip(bytes)) throw new DataError(source, 'not a gzip stream (missing magic 1f 8b)', { offset: 0 });
  const maxBytes = limitOf('gunzip', limits, 'maxBytes');
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of gunzipChunks([bytes], source)) {
    total += chunk.length;
    if (total > maxBytes) throw new DataError(source, `gzip data expands beyond the limit maxBytes ${maxBytes} (raise it with the maxBytes option or setDataLimits)`);
    chunks.push(chunk);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Decompresses gzip bytes and passes anything else through, so readers take `.gz` or raw files. */
export async function maybeGunzip(bytes: Uint8Array, source: string, limits: DataLimits = {}): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzip(bytes, source, limits) : bytes;
}

/** Decompresses a stream of gzip chunks as they arrive (for files too large to hold twice). */
export async function* gunzipChunks(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, source: string): AsyncGenerator<Uint8Array> {
  const decompressor = new DecompressionStream('gzip');
  const writer = decompressor.writable.getWriter();
  const pump = (async () => {
    for await (const chunk of chunks) await writer.write(chunk as Uint8Array<ArrayBuffer>);
    await writer.close();
  })();
  pump.catch(() => undefined); // its failure also errors the readable side, reported below
  try {
    const reader = decompressor.readable.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) yield next.value;
    await pump;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new DataError(source, `corrupt or truncated gzip data (${reason})`);
  }
}
