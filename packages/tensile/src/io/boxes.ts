/**
 * Box annotation files for detection sets: one box per line, `image x1 y1 x2 y2` (whitespace
 * separated, numbers as written — e.g. 1-based pixel coordinates in the CMU+MIT files).
 */
import { BadRecordLog, type BadRecordOptions } from './bad-records.js';
import { DataError } from './errors.js';

export interface Box {
  readonly image: string;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** Parses box lines; blank lines and `#` comments are ignored; bad lines are DataErrors with their line. */
export function parseBoxes(text: string, source: string, options: BadRecordOptions = {}): Box[] {
  const log = new BadRecordLog(options);
  const boxes: Box[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    const numbers = fields.slice(1).map(Number);
    if (fields.length !== 5) {
      log.handle(new DataError(source, `has ${fields.length} fields, expected 5 (image x1 y1 x2 y2)`, { line: index + 1 }));
    } else if (!numbers.every(Number.isFinite)) {
      log.handle(new DataError(source, `non-numeric coordinate in ${JSON.stringify(line)}`, { line: index + 1 }));
    } else if (numbers[2]! <= numbers[0]! || numbers[3]! <= numbers[1]!) {
      log.handle(new DataError(source, `empty box (x2 <= x1 or y2 <= y1) in ${JSON.stringify(line)}`, { line: index + 1 }));
    } else {
      const [x1, y1, x2, y2] = numbers as [number, number, number, number];
      boxes.push({ image: fields[0]!, x1, y1, x2, y2 });
    }
  });
  log.finish(source);
  return boxes;
}

/** Boxes grouped by image name, in first-appearance order. */
export function groupBoxesByImage(boxes: readonly Box[]): Map<string, Box[]> {
  const groups = new Map<string, Box[]>();
  for (const box of boxes) {
    const group = groups.get(box.image);
    if (group) group.push(box);
    else groups.set(box.image, [box]);
  }
  return groups;
}
