import path from 'node:path';
import { DataError } from '../../io/errors.js';
import type { BadRecordOptions } from '../../io/bad-records.js';
import { TabularEncoder, type TabularRow, type TabularSpec } from '../tabular-encoder.js';
import type { ScalerKind } from '../scalers.js';
import { decodeUtf8, readCsv, type CsvSchema } from '../../io/csv.js';
import { readFileChunks } from '../../io/files.node.js';
import { locateDataset, type FetchOptions } from './fetch.node.js';
import { checkOptions, optionNames } from '../../options.js';

/** The 5-class labels, in index order of `NslKddSplit.categoryLabels`. */
export const NSL_KDD_CATEGORIES = ['normal', 'DoS', 'Probe', 'R2L', 'U2R'] as const;

export interface NslKddSplit {
  /** Encoded features, row-major `[count, width]`. */
  readonly features: Float32Array;
  readonly shape: readonly [number, number];
  /** 0 = normal, 1 = attack. */
  readonly binaryLabels: Uint8Array;
  /** Index into NSL_KDD_CATEGORIES. */
  readonly categoryLabels: Uint8Array;
  /** The attack name of each row (`normal` for normal traffic). */
  readonly attacks: readonly string[];
  /** How many of the 21 reference learners got the row right (0–21). */
  readonly difficulty: Uint8Array;
}

export interface NslKddData {
  readonly train: NslKddSplit;
  /** KDDTest+. */
  readonly test: NslKddSplit;
  /** KDDTest-21: the test rows fewer than 21 reference learners got right. */
  readonly test21: NslKddSplit;
  /** Fitted on the training split only; save `encoder.toJSON()` with the model. */
  readonly encoder: TabularEncoder;
}

export interface NslKddOptions extends FetchOptions, BadRecordOptions {
  /** Training file: the full KDDTrain+ (default) or KDDTrain+_20Percent. */
  readonly trainFile?: 'KDDTrain+' | 'KDDTrain+_20Percent';
  /** Scaling of the 38 numeric features, fitted on train. Default `'minmax'`. */
  readonly scale?: ScalerKind | 'none';
  /** Encoding of protocol_type, service and flag. Default `'onehot'`. */
  readonly categorical?: 'onehot' | 'index';
}

const CONTENT_SHA256: Readonly<Record<string, string>> = {
  'KDDTrain+.txt.gz': '1b86d2f957b33082081bba410fe129b475efebcc13c9014c3f447c8271aadf95',
  'KDDTest+.txt.gz': 'fa46b0935342616aa83b7c2578db355b6a7aaabbc492248172c7a1e8b7ab8f84',
  'KDDTest-21.txt.gz': '746993ac9e25868827cacf09eab450050a2a1056e1ce48a1ad39f5dc801d531d',
  'KDDTrain+_20Percent.txt.gz': '7ea86479faab5ca2190b7f18b4982fb058ce5bf2b46e0e1017d0d9ef90f9c16e',
};

const NSL_KDD_OPTION_NAMES = optionNames<NslKddOptions>()('root', 'baseUrl', 'download', 'verify', 'onBadRecord', 'onWarning', 'trainFile', 'scale', 'categorical');

/**
 * NSL-KDD intrusion detection: 41 features per connection (38 numeric, 3 symbolic) encoded into
 * one vector by a TabularEncoder fitted on the training rows; labels as binary (attack or not) and
 * 5-class (normal, DoS, Probe, R2L, U2R via `attack_category_map.csv`). Rows are streamed from
 * the `.txt.gz` files; a malformed row is a DataError with file and line (or skipped with a warning
 * under `onBadRecord: 'skip'`). There is no stable public URL for these files: pass `baseUrl` to
 * download from a mirror.
 */
export async function nslKdd(options: NslKddOptions = {}): Promise<NslKddData> {
  checkOptions('nslKdd', options, NSL_KDD_OPTION_NAMES);
  const trainFile = `${options.trainFile ?? 'KDDTrain+'}.txt.gz`;
  const dataFiles = [trainFile, 'KDDTest+.txt.gz', 'KDDTest-21.txt.gz'];
  const dir = await locateDataset(
    {
      name: 'nsl-kdd',
      files: [...dataFiles.map((name) => ({ name, contentSha256: CONTENT_SHA256[name] })), { name: 'field_names.csv' }, { name: 'attack_category_map.csv' }],
    },
    options,
  );
  const [fields, categoryOf] = await Promise.all([readFieldNames(dir), readCategoryMap(dir)]);
  const types: { [column: string]: 'number' | 'string' } = { label: 'string', difficulty: 'number' };
  for (const field of fields) types[field.name] = field.symbolic ? 'string' : 'number';
  const columns = [...fields.map((f) => f.name), 'label', 'difficulty'];
  const [trainRows, testRows, test21Rows] = await Promise.all(
    dataFiles.map((name) => readRows(path.join(dir, name), columns, types, options)),
  );
  const spec: TabularSpec = Object.fromEntries(
    fields.map((field) => [
      field.name,
      field.symbolic
        ? { kind: 'categorical', encoding: options.categorical ?? 'onehot', unknown: 'ignore' }
        : { kind: 'numeric', scale: options.scale ?? 'minmax' },
    ]),
  );
  const encoder = TabularEncoder.fit(spec, trainRows);
  const split = (rows: readonly TabularRow[], file: string): NslKddSplit => encodeSplit(rows, encoder, categoryOf, path.join(dir, file));
  return { train: split(trainRows, trainFile), test: split(testRows, dataFiles[1]!), test21: split(test21Rows, dataFiles[2]!), encoder };
}

function encodeSplit(rows: readonly TabularRow[], encoder: TabularEncoder, categoryOf: ReadonlyMap<string, number>, file: string): NslKddSplit {
  const { values, shape } = encoder.transformAll(rows);
  const attacks = rows.map((row) => String(row.label));
  const categoryLabels = Uint8Array.from(attacks, (attack) => {
    const category = categoryOf.get(attack);
    if (category === undefined) throw new DataError(file, `attack ${JSON.stringify(attack)} is not in attack_category_map.csv`);
    return category;
  });
  return {
    features: values,
    shape,
    binaryLabels: categoryLabels.map((category) => (category === 0 ? 0 : 1)),
    categoryLabels,
    attacks,
    difficulty: Uint8Array.from(rows, (row) => Number(row.difficulty)),
  };
}

async function readRows(file: string, columns: readonly string[], types: CsvSchema, options: BadRecordOptions): Promise<TabularRow[]> {
  const rows: TabularRow[] = [];
  for await (const row of readCsv(decodeUtf8(readFileChunks(file), file), { onBadRecord: options.onBadRecord, onWarning: options.onWarning, source: file, columns, types })) rows.push(row);
  return rows;
}

async function readFieldNames(dir: string): Promise<{ name: string; symbolic: boolean }[]> {
  const file = path.join(dir, 'field_names.csv');
  const fields: { name: string; symbolic: boolean }[] = [];
  const csv = readCsv(decodeUtf8(readFileChunks(file), file), { source: file, columns: ['name', 'type'], types: { name: 'string', type: 'string' } });
  for await (const { name, type } of csv) fields.push({ name, symbolic: type === 'symbolic' });
  if (fields.length !== 41) throw new DataError(file, `lists ${fields.length} fields, expected 41`);
  return fields;
}

async function readCategoryMap(dir: string): Promise<Map<string, number>> {
  const file = path.join(dir, 'attack_category_map.csv');
  const map = new Map<string, number>();
  for await (const { attack, category } of readCsv(decodeUtf8(readFileChunks(file), file), { source: file, types: { attack: 'string', category: 'string' } })) {
    const index = (NSL_KDD_CATEGORIES as readonly string[]).indexOf(category);
    if (index < 0) throw new DataError(file, `unknown category ${JSON.stringify(category)} for ${attack}`);
    map.set(attack, index);
  }
  return map;
}
