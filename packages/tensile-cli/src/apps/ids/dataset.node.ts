/**
 * Reads the NSL-KDD files for the IDS commands, one file at a time so that `train` never opens a
 * test file. Labels become binary (attack or not) and the 5 categories of attack_category_map.csv.
 */
import path from 'node:path';
import { locateDataset, NSL_KDD_CATEGORIES, readFileChunks } from 'tensile/node';
import { DataError, decodeUtf8, parseCsvRows } from 'tensile';
import { parseRecord, type ConnectionRecord } from './records.js';

export type NslKddFile = 'KDDTrain+' | 'KDDTest+' | 'KDDTest-21';

export interface LabeledRecords {
  readonly file: string;
  readonly records: readonly ConnectionRecord[];
  /** 0 normal, 1 attack. */
  readonly binary: Uint8Array;
  /** Index into NSL_KDD_CATEGORIES. */
  readonly category: Uint8Array;
}

/** The first `limit` (default all) records of one NSL-KDD file, from the data root or cache. */
export async function readNslKdd(name: NslKddFile, limit = Infinity): Promise<LabeledRecords> {
  const fileName = `${name}.txt.gz`;
  const dir = await locateDataset({ name: 'nsl-kdd', files: [{ name: fileName }, { name: 'attack_category_map.csv' }] });
  const categoryOf = await readCategoryMap(path.join(dir, 'attack_category_map.csv'));
  const file = path.join(dir, fileName);
  const records: ConnectionRecord[] = [];
  const category: number[] = [];
  for await (const { fields, line } of parseCsvRows(decodeUtf8(readFileChunks(file), file))) {
    if (records.length >= limit) break;
    const record = parseRecord(fields, file, line);
    const index = record.label === undefined ? undefined : categoryOf.get(record.label);
    if (index === undefined) throw new DataError(file, `label ${JSON.stringify(record.label)} is not in attack_category_map.csv`, { line });
    records.push(record);
    category.push(index);
  }
  const categories = Uint8Array.from(category);
  return { file, records, binary: categories.map((c) => (c === 0 ? 0 : 1)), category: categories };
}

/**
 * attack name → category index. The NSL-KDD loader reads the same file but does not export its
 * reader; this one also names the line of a bad row.
 */
async function readCategoryMap(file: string): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  for await (const { fields, line } of parseCsvRows(decodeUtf8(readFileChunks(file), file))) {
    const [attack, category] = fields;
    if (line === 1 && attack === 'attack') continue;
    const index = (NSL_KDD_CATEGORIES as readonly string[]).indexOf(category ?? '');
    if (fields.length !== 2 || !attack || index < 0) throw new DataError(file, `expected 'attack,category' with a category of ${NSL_KDD_CATEGORIES.join('/')}, got ${JSON.stringify(fields.join(','))}`, { line });
    map.set(attack, index);
  }
  return map;
}
