/**
 * `tensile ids score`: the middleware use. Streams connection records through a detector and
 * writes one output row per input row — `line,score,verdict,category,source,label,error` — so the
 * output always has as many records as the input; malformed rows get verdict `malformed` and their
 * error. A record's "source" is `protocol_type/service` (e.g. `tcp/http`): NSL-KDD records carry
 * no addresses, and the service is what a sensor-network middleware would route and throttle.
 */
import { createWriteStream } from 'node:fs';
import { access, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { DataError, decodeUtf8 } from 'tensile';
import { readFileChunks } from 'tensile/node';
import { IntrusionDetector } from './detector.node.js';

export interface ScoreIdsOptions {
  readonly model: string;
  readonly input: string;
  /** Where the per-record CSV goes; default `<input>.scores.csv`. */
  readonly output?: string;
  /** Overrides the model's threshold. */
  readonly threshold?: number;
}

export interface SourceSummary {
  readonly source: string;
  readonly records: number;
  readonly flagged: number;
}

export interface ScoreIdsResult {
  readonly input: string;
  readonly output: string;
  readonly threshold: number;
  /** Input rows (records, malformed ones included; a header line is not a record). */
  readonly rows: number;
  readonly scored: number;
  readonly flagged: number;
  readonly malformed: { readonly line: number; readonly message: string }[];
  /** Sources with at least one flagged record, most flagged first. */
  readonly sources: SourceSummary[];
  readonly seconds: number;
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export async function scoreIds(options: ScoreIdsOptions): Promise<ScoreIdsResult> {
  const started = performance.now();
  const detector = await IntrusionDetector.load(options.model);
  await access(options.input).catch((error: Error) => {
    throw new DataError(options.input, `cannot be read (${error.message})`);
  });
  const threshold = options.threshold ?? detector.threshold;
  const output = options.output ?? `${options.input}.scores.csv`;
  // Written under a temporary name and renamed at the end, so a failed run leaves no half file.
  const temp = path.join(path.dirname(output), `.${path.basename(output)}.${process.pid}.tmp`);
  const sink = createWriteStream(temp);
  const write = async (text: string): Promise<void> => {
    if (!sink.write(text)) await once(sink, 'drain');
  };
  const bySource = new Map<string, { records: number; flagged: number }>();
  const malformed: { line: number; message: string }[] = [];
  let rows = 0;
  let flagged = 0;
  try {
    await write('line,score,verdict,category,source,label,error\n');
    for await (const row of detector.scoreStream(decodeUtf8(readFileChunks(options.input), options.input), { source: options.input, threshold })) {
      rows++;
      if ('error' in row) {
        malformed.push({ line: row.line, message: row.error.message });
        await write(`${row.line},,malformed,,,,${csvField(row.error.problem)}\n`);
        continue;
      }
      const { record, result } = row;
      const source = `${String(record.features['protocol_type'])}/${String(record.features['service'])}`;
      const counts = bySource.get(source) ?? { records: 0, flagged: 0 };
      counts.records++;
      if (result.attack) {
        counts.flagged++;
        flagged++;
      }
      bySource.set(source, counts);
      await write(`${row.line},${result.score.toFixed(6)},${result.attack ? 'attack' : 'normal'},${result.category},${csvField(source)},${csvField(record.label ?? '')},\n`);
    }
    sink.end();
    await once(sink, 'finish');
    await rename(temp, output);
  } catch (error) {
    // Let pending writes finish (or fail) before the temporary file goes.
    await new Promise<void>((resolve) => sink.end(() => resolve()));
    await rm(temp, { force: true });
    throw error;
  }
  const sources = [...bySource]
    .filter(([, c]) => c.flagged > 0)
    .map(([source, c]) => ({ source, ...c }))
    .sort((a, b) => b.flagged - a.flagged || a.source.localeCompare(b.source));
  return { input: options.input, output, threshold, rows, scored: rows - malformed.length, flagged, malformed, sources, seconds: (performance.now() - started) / 1000 };
}
