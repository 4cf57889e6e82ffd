/**
 * Streaming CSV: text arrives in chunks of any size and rows come out one at a time, so files larger
 * than memory can be read. Quoted fields (RFC 4180, `""` escapes, embedded newlines) and LF, CRLF
 * and CR-only line endings are handled. Rows are checked against the column count and column types;
 * a bad row is a DataError naming the file and line, or is skipped with a warning on request.
 */
import { BadRecordLog, type BadRecordOptions } from './bad-records.js';
import { DataError } from './errors.js';
import { ValueError } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';

/** One parsed row: its fields and the 1-based line it starts on. */
export interface CsvRow {
  readonly line: number;
  readonly fields: string[];
}

export type CsvColumnType = 'number' | 'string';

/** Column name → type; a typed row holds exactly these columns. */
export type CsvSchema = { readonly [column: string]: CsvColumnType };

export type CsvRecord<S extends CsvSchema> = { -readonly [K in keyof S]: S[K] extends 'number' ? number : string };

type TextSource = string | Iterable<string> | AsyncIterable<string>;

export interface CsvParseOptions {
  readonly delimiter?: string;
  /** Names the file in errors (default 'CSV text'). */
  readonly source?: string;
}

export interface CsvReadOptions<S extends CsvSchema> extends CsvParseOptions, BadRecordOptions {
  /** Names the file in errors and warnings. */
  readonly source: string;
  /** Column names. When given, the first line is data unless `header: true` says it must be skipped. */
  readonly columns?: readonly string[];
  /** Whether the first line holds the column names. Default: true when `columns` is not given. */
  readonly header?: boolean;
  /** Types of the columns to keep; all other columns are checked for count but not returned. */
  readonly types: S;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

function countLineBreaks(text: string): number {
  return (text.match(/\r\n|\r|\n/g) ?? []).length;
}

const CSV_PARSE_OPTION_NAMES = optionNames<CsvParseOptions>()('delimiter', 'source');

/** Splits CSV text into rows. Empty lines are skipped; row line numbers stay those of the file. */
export async function* parseCsvRows(text: TextSource, options: CsvParseOptions = {}): AsyncGenerator<CsvRow> {
  checkOptions('parseCsvRows', options, CSV_PARSE_OPTION_NAMES);
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new ValueError(`parseCsvRows: delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}`);
  }
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let quoteClosed = false; // just saw the closing quote; a second quote means an escaped one
  let afterCR = false;
  let line = 1;
  let rowLine = 1;
  let rowHasContent = false;
  let quoteLine = 1;

  const endRow = (): CsvRow | undefined => {
    const row = rowHasContent ? { line: rowLine, fields: [...fields, field] } : undefined;
    fields = [];
    field = '';
    rowHasContent = false;
    return row;
  };

  const delimiterCode = delimiter.charCodeAt(0);
  for await (const chunk of typeof text === 'string' ? [text] : text) {
    let i = 0;
    while (i < chunk.length) {
      if (afterCR) {
        afterCR = false;
        if (chunk.charCodeAt(i) === LF) {
          i++; // CRLF is one line break
          continue;
        }
      }
      if (inQuotes) {
        const close = chunk.indexOf('"', i);
        const piece = chunk.slice(i, close < 0 ? chunk.length : close);
        field += piece;
        line += countLineBreaks(piece);
        if (close < 0) break;
        inQuotes = false;
        quoteClosed = true;
        i = close + 1;
        continue;
      }
      const code = chunk.charCodeAt(i);
      if (code === QUOTE) {
        if (quoteClosed) field += '"';
        else quoteLine = line;
        inQuotes = true;
        quoteClosed = false;
        if (!rowHasContent) rowLine = line;
        rowHasContent = true;
        i++;
        continue;
      }
      quoteClosed = false;
      if (code === LF || code === CR) {
        afterCR = code === CR;
        const row = endRow();
        if (row) yield row;
        line++;
        rowLine = line;
        i++;
        continue;
      }
      if (!rowHasContent) rowLine = line;
      rowHasContent = true;
      if (code === delimiterCode) {
        fields.push(field);
        field = '';
        i++;
        continue;
      }
      // Copy a run of ordinary characters in one slice: per-character appends are several times slower.
      let end = i + 1;
      while (end < chunk.length) {
        const next = chunk.charCodeAt(end);
        if (next === delimiterCode || next === LF || next === CR || next === QUOTE) break;
        end++;
      }
      field += chunk.slice(i, end);
      i = end;
    }
  }
  // A quote left open swallows the rest of the file into one field: almost always a damaged file.
  if (inQuotes) throw new DataError(options.source ?? 'CSV text', `unterminated quote: the quoted field opened here never closes`, { line: quoteLine });
  const last = endRow();
  if (last) yield last;
}

const CSV_READ_OPTION_NAMES = optionNames<CsvReadOptions<CsvSchema>>()('delimiter', 'source', 'columns', 'header', 'types', 'onBadRecord', 'onWarning');

/**
 * Reads typed records from CSV text. Rows with a wrong field count or a non-numeric value in a
 * `'number'` column are DataErrors (`source` line N), or are skipped and listed in one warning when
 * `onBadRecord: 'skip'`.
 *
 * ```ts
 * for await (const row of readCsv(text, { source: 'iris.csv', types: { sepal: 'number', species: 'string' } })) {
 *   row.sepal; // number
 * }
 * ```
 */
export async function* readCsv<S extends CsvSchema>(text: TextSource, options: CsvReadOptions<S>): AsyncGenerator<CsvRecord<S>> {
  checkOptions('readCsv', options, CSV_READ_OPTION_NAMES);
  const { source, types } = options;
  const log = new BadRecordLog(options);
  let columns = options.columns;
  let picks = columns ? pickColumns(columns, types, source, 1) : undefined;
  let headerPending = options.header ?? options.columns === undefined;

  let empty = true;
  for await (const row of parseCsvRows(text, { delimiter: options.delimiter, source: options.source })) {
    empty = false;
    if (headerPending) {
      headerPending = false;
      columns ??= row.fields.map((name) => name.trim());
      picks ??= pickColumns(columns, types, source, row.line);
      continue;
    }
    if (!columns || !picks) throw new DataError(source, 'no header line and no column names given', { line: row.line });
    if (row.fields.length !== columns.length) {
      log.handle(new DataError(source, `has ${row.fields.length} fields, expected ${columns.length}`, { line: row.line }));
      continue;
    }
    const record = typedRecord(row, picks, source);
    if (record instanceof DataError) {
      log.handle(record);
      continue;
    }
    yield record as CsvRecord<S>;
  }
  if (empty) throw new DataError(source, 'the file is empty: no header and no rows', { line: 1 });
  log.finish(source);
}

interface ColumnPick {
  readonly name: string;
  readonly index: number;
  readonly type: CsvColumnType;
}

function pickColumns(columns: readonly string[], types: CsvSchema, source: string, line: number): ColumnPick[] {
  return Object.entries(types).map(([name, type]) => {
    const index = columns.indexOf(name);
    if (index < 0) throw new DataError(source, `has no column ${JSON.stringify(name)} (columns: ${columns.join(', ')})`, { line });
    return { name, index, type };
  });
}

function typedRecord(row: CsvRow, picks: readonly ColumnPick[], source: string): { [column: string]: number | string } | DataError {
  const record: { [column: string]: number | string } = {};
  for (const { name, index, type } of picks) {
    const text = row.fields[index]!;
    if (type === 'string') {
      record[name] = text;
      continue;
    }
    const value = text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(value)) {
      return new DataError(source, `column ${JSON.stringify(name)} (field ${index + 1}): ${JSON.stringify(text)} is not a number`, {
        line: row.line,
      });
    }
    record[name] = value;
  }
  return record;
}

/**
 * Decodes UTF-8 byte chunks to text chunks without splitting multi-byte characters. Invalid UTF-8
 * is a DataError naming `source` and the byte offset, never a silent U+FFFD.
 */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, source = 'UTF-8 text'): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let consumed = 0; // bytes of the earlier chunks
  let carried = new Uint8Array(0); // their unfinished last character, which the decoder holds back
  for await (const chunk of chunks) {
    let text;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw invalidUtf8(source, consumed - carried.length + firstInvalidUtf8(concat(carried, chunk)));
    }
    const recent = chunk.length >= 3 ? chunk.subarray(-3) : concat(carried, chunk).subarray(-3);
    carried = recent.slice(recent.length - unfinishedTail(recent));
    consumed += chunk.length;
    if (text) yield text;
  }
  let rest;
  try {
    rest = decoder.decode();
  } catch {
    throw invalidUtf8(source, consumed - carried.length);
  }
  if (rest) yield rest;
}

function invalidUtf8(source: string, offset: number): DataError {
  return new DataError(source, 'invalid UTF-8 (the text must be UTF-8 encoded)', { offset });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** How many trailing bytes of `bytes` start a multi-byte character that is not finished yet. */
function unfinishedTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: look further back
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

/** Index of the first byte that does not continue valid UTF-8 (the length when all of it is valid so far). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    if (byte < 0x80) {
      i++;
      continue;
    }
    // Lead byte → length and the allowed range of the second byte (no overlongs, surrogates or > U+10FFFF).
    const [length, low, high] =
      byte >= 0xc2 && byte <= 0xdf ? [2, 0x80, 0xbf]
      : byte === 0xe0 ? [3, 0xa0, 0xbf]
      : byte === 0xed ? [3, 0x80, 0x9f]
      : byte >= 0xe1 && byte <= 0xef ? [3, 0x80, 0xbf]
      : byte === 0xf0 ? [4, 0x90, 0xbf]
      : byte >= 0xf1 && byte <= 0xf3 ? [4, 0x80, 0xbf]
      : byte === 0xf4 ? [4, 0x80, 0x8f]
      : [0, 0, 0];
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined) return bytes.length;
      if (k === 1 ? next < low || next > high : (next & 0xc0) !== 0x80) return i + k;
    }
    i += length;
  }
  return bytes.length;
}
