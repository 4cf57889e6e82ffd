/**
 * Gzip in the browser and in Node alike, through the standard `DecompressionStream`: readers can
 * accept `.gz` bytes without a Node-only zlib import.
 */
import { DataError } from './errors.js';

/** True when `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses a whole gzip stream; a truncated or corrupt stream is a DataError naming `source`. */
export async function gunzip(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) throw new DataError(source, 'not a gzip stream (missing magic 1f 8b)', { offset: 0 });
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new DataError(source, `corrupt or truncated gzip data (${reason})`);
  }
}

/** Decompresses gzip bytes and passes anything else through, so readers take `.gz` or raw files. */
export async function maybeGunzip(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzip(bytes, source) : bytes;
}

/** Decompresses a stream of gzip chunks as they arrive (for files too large to hold twice). */
export async function* gunzipChunks(chunks: AsyncIterable<Uint8Array>, source: string): AsyncGenerator<Uint8Array> {
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
