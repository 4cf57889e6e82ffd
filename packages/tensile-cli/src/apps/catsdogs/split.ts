/** Deterministic stratified splits and balanced slices of labelled items. */
import { Generator, ValueError } from 'tensile';

/** Fisher–Yates with a seeded Generator. */
function shuffled<T>(items: readonly T[], random: Generator): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface IndexSplit {
  readonly fit: number[];
  readonly selection: number[];
}

/**
 * Splits indices 0…labels.length−1 into a fit part and a model-selection part holding `fraction`
 * of every class, the same for every training seed (the split has its own seed).
 */
export function stratifiedSplit(labels: ArrayLike<number>, fraction: number, seed = 0): IndexSplit {
  if (!(fraction > 0 && fraction < 1)) throw new ValueError(`stratifiedSplit: fraction must be in (0, 1), got ${fraction}`);
  const random = new Generator(seed);
  const byClass = new Map<number, number[]>();
  Array.from(labels).forEach((label, index) => byClass.set(label, [...(byClass.get(label) ?? []), index]));
  const fit: number[] = [];
  const selection: number[] = [];
  for (const indices of [...byClass.keys()].sort((a, b) => a - b).map((label) => shuffled(byClass.get(label)!, random))) {
    const held = Math.max(1, Math.round(indices.length * fraction));
    if (held >= indices.length) throw new ValueError(`stratifiedSplit: a class of ${indices.length} items cannot give ${held} to selection and keep some to fit`);
    selection.push(...indices.slice(0, held));
    fit.push(...indices.slice(held));
  }
  return { fit: fit.sort((a, b) => a - b), selection: selection.sort((a, b) => a - b) };
}

/** The first ⌈limit / classes⌉ items of each class, in their original order (a quick, balanced slice). */
export function balancedSlice<T extends { readonly label: number }>(items: readonly T[], limit: number): T[] {
  const classes = new Set(items.map((item) => item.label)).size;
  const perClass = Math.ceil(limit / Math.max(1, classes));
  const taken = new Map<number, number>();
  return items.filter((item) => {
    const count = taken.get(item.label) ?? 0;
    taken.set(item.label, count + 1);
    return count < perClass;
  });
}
