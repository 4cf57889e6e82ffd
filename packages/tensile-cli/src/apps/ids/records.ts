/**
 * The NSL-KDD connection-record layout: 41 features (38 numeric, protocol_type, service and flag
 * symbolic), optionally followed by the label (attack name or `normal`) and the difficulty level.
 * Parsing is per row so that a scorer can report a malformed row by its line and go on.
 */
import { DataError, type TabularRow } from 'tensile';

export const FEATURE_COLUMNS = [
  'duration', 'protocol_type', 'service', 'flag', 'src_bytes', 'dst_bytes', 'land', 'wrong_fragment', 'urgent', 'hot',
  'num_failed_logins', 'logged_in', 'num_compromised', 'root_shell', 'su_attempted', 'num_root', 'num_file_creations',
  'num_shells', 'num_access_files', 'num_outbound_cmds', 'is_host_login', 'is_guest_login', 'count', 'srv_count',
  'serror_rate', 'srv_serror_rate', 'rerror_rate', 'srv_rerror_rate', 'same_srv_rate', 'diff_srv_rate',
  'srv_diff_host_rate', 'dst_host_count', 'dst_host_srv_count', 'dst_host_same_srv_rate', 'dst_host_diff_srv_rate',
  'dst_host_same_src_port_rate', 'dst_host_srv_diff_host_rate', 'dst_host_serror_rate', 'dst_host_srv_serror_rate',
  'dst_host_rerror_rate', 'dst_host_srv_rerror_rate',
] as const;

export const SYMBOLIC_COLUMNS: ReadonlySet<string> = new Set(['protocol_type', 'service', 'flag']);

/** One connection: its 41 features by column name, and the label and difficulty when the file has them. */
export interface ConnectionRecord {
  readonly features: TabularRow;
  readonly label?: string;
  readonly difficulty?: number;
}

/**
 * Parses the fields of one CSV row: 41 (features only), 42 (+ label) or 43 (+ label, difficulty).
 * Numeric features must be finite and non-negative, as every NSL-KDD count, size and rate is.
 */
export function parseRecord(fields: readonly string[], source: string, line: number): ConnectionRecord {
  const width = FEATURE_COLUMNS.length;
  if (fields.length < width || fields.length > width + 2) {
    throw new DataError(source, `has ${fields.length} fields, expected ${width} (features), ${width + 1} (+ label) or ${width + 2} (+ label, difficulty)`, { line });
  }
  const features: Record<string, number | string> = {};
  FEATURE_COLUMNS.forEach((column, i) => {
    const text = fields[i]!.trim();
    if (SYMBOLIC_COLUMNS.has(column)) {
      if (text === '') throw new DataError(source, `column ${i + 1} (${column}) is empty`, { line });
      features[column] = text;
      return;
    }
    const value = text === '' ? NaN : Number(text);
    if (!Number.isFinite(value) || value < 0) {
      throw new DataError(source, `column ${i + 1} (${column}) holds ${JSON.stringify(fields[i])}, not a non-negative number`, { line });
    }
    features[column] = value;
  });
  const label = fields[width]?.trim();
  const difficultyText = fields[width + 1]?.trim();
  const difficulty = difficultyText === undefined ? undefined : Number(difficultyText);
  if (difficulty !== undefined && !(Number.isInteger(difficulty) && difficulty >= 0)) {
    throw new DataError(source, `column ${width + 2} (difficulty) holds ${JSON.stringify(difficultyText)}, not a non-negative integer`, { line });
  }
  return { features, ...(label ? { label } : {}), ...(difficulty !== undefined ? { difficulty } : {}) };
}
