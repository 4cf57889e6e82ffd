import { DataError } from './errors.js';

/** What to do with a record that cannot be read: stop with its DataError (default), or skip it and warn. */
export type BadRecordPolicy = 'error' | 'skip';

export interface BadRecordOptions {
  /** `'error'` (default) throws the first bad record's DataError; `'skip'` drops it and warns once at the end. */
  readonly onBadRecord?: BadRecordPolicy;
  /** Receives the warning for skipped records; defaults to `console.warn`. */
  readonly onWarning?: (message: string, skipped: readonly DataError[]) => void;
}

const LISTED_IN_WARNING = 20;

/**
 * Applies a BadRecordPolicy for one reading pass. Skipped records are collected, never dropped
 * silently: `finish()` reports all of them in one warning.
 */
export class BadRecordLog {
  private readonly skippedErrors: DataError[] = [];

  constructor(private readonly options: BadRecordOptions = {}) {}

  /** Throws `error` unless the policy is `'skip'`, in which case it is recorded. */
  handle(error: DataError): void {
    if ((this.options.onBadRecord ?? 'error') === 'error') throw error;
    this.skippedErrors.push(error);
  }

  get skipped(): readonly DataError[] {
    return this.skippedErrors;
  }

  /** Emits one warning listing what was skipped in `what` (if anything was). */
  finish(what: string): void {
    const count = this.skippedErrors.length;
    if (count === 0) return;
    const listed = this.skippedErrors.slice(0, LISTED_IN_WARNING).map((e) => `  ${e.message}`);
    if (count > LISTED_IN_WARNING) listed.push(`  … and ${count - LISTED_IN_WARNING} more`);
    const message = `${what}: skipped ${count} bad record${count === 1 ? '' : 's'}:\n${listed.join('\n')}`;
    const warn = this.options.onWarning ?? ((text: string) => console.warn(text));
    warn(message, this.skippedErrors);
  }
}
