import { TensileError } from '../errors.js';

/** Where in a file a problem was found: a 1-based line (text formats) or a byte offset (binary formats). */
export interface DataLocation {
  readonly line?: number;
  readonly offset?: number;
}

/**
 * Input data that cannot be read as promised: a truncated gzip, a wrong magic number, a short file,
 * a corrupt image, a CSV row with the wrong column count. The message always names the file and,
 * when known, the line or byte offset, so a user can open the file and look.
 */
export class DataError extends TensileError {
  constructor(
    readonly source: string,
    readonly problem: string,
    readonly location: DataLocation = {},
  ) {
    super(`${source}${describeLocation(location)}: ${problem}`);
  }
}

/** Only real places are printed: a computed "byte -768" would send the user looking for nothing. */
function describeLocation({ line, offset }: DataLocation): string {
  if (line !== undefined && isPlace(line)) return ` line ${line}`;
  if (offset !== undefined && isPlace(offset)) return ` at byte ${offset}`;
  return '';
}

function isPlace(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Wraps any thrown value as a DataError for `source`, keeping DataErrors that already name a file. */
export function asDataError(source: string, cause: unknown, location: DataLocation = {}): DataError {
  if (cause instanceof DataError) return cause;
  const problem = cause instanceof Error ? cause.message : String(cause);
  return new DataError(source, problem, location);
}
