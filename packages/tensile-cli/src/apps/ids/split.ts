/**
 * The validation split of KDDTrain+. KDDTest+ is hard mainly because of attack types that never
 * occur in training, so a random split alone (whose attacks all look like training attacks) would
 * choose thresholds and epochs for the wrong problem. The split therefore holds some attack types
 * out of training entirely and adds a random share of all other records. Thresholds and early
 * stopping then reward detecting attacks the detector has never seen. Two rules pick the types,
 * both fixed before any test run:
 * - `rarest-type` (the gan/mlp/logreg variants): per category, the rarest type with at least
 *   `minHeldOut` records that is not the category's most common type;
 * - `leave-types-out` (the combined variant): per category, half (rounded up) of the types with at
 *   least `minHeldOut` records other than the most common one, drawn by the seed.
 */
import { Generator } from 'tensile';

export type HeldOutRule = 'rarest-type' | 'leave-types-out';

export interface TrainingSplit {
  readonly fitRows: number[];
  readonly validationRows: number[];
  /** Attack types found only in the validation rows. */
  readonly heldOutAttacks: string[];
}

export interface SplitOptions {
  /** Share of the remaining records also put in validation. */
  readonly fraction: number;
  readonly seed: number;
  readonly minHeldOut: number;
  readonly rule: HeldOutRule;
}

/** Per attack category (never normal, 0), the types that may be held out, by name. */
function candidatesPerCategory(attacks: readonly string[], categories: ArrayLike<number>, minHeldOut: number): Map<number, { attack: string; count: number }[]> {
  const counts = new Map<string, { count: number; category: number }>();
  attacks.forEach((attack, i) => {
    const entry = counts.get(attack) ?? { count: 0, category: categories[i]! };
    entry.count++;
    counts.set(attack, entry);
  });
  const largestPerCategory = new Map<number, number>();
  for (const { count, category } of counts.values()) largestPerCategory.set(category, Math.max(count, largestPerCategory.get(category) ?? 0));
  const candidates = new Map<number, { attack: string; count: number }[]>();
  for (const [attack, { count, category }] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (category === 0 || count < minHeldOut || count === largestPerCategory.get(category)) continue;
    candidates.set(category, [...(candidates.get(category) ?? []), { attack, count }]);
  }
  return candidates;
}

function heldOutTypes(attacks: readonly string[], categories: ArrayLike<number>, options: SplitOptions): string[] {
  const random = new Generator(options.seed);
  return [...candidatesPerCategory(attacks, categories, options.minHeldOut)]
    .sort(([a], [b]) => a - b)
    .flatMap(([, types]) => {
      if (options.rule === 'rarest-type') return [types.reduce((rarest, t) => (t.count < rarest.count ? t : rarest)).attack];
      return random.shuffle(types.map((t) => t.attack)).slice(0, Math.ceil(types.length / 2));
    })
    .sort();
}

/** `attacks[i]` is row i's label (`normal` or an attack type), `categories[i]` its category (0 = normal). */
export function splitTraining(attacks: readonly string[], categories: ArrayLike<number>, options: SplitOptions): TrainingSplit {
  const heldOutAttacks = heldOutTypes(attacks, categories, options);
  const heldOut = new Set(heldOutAttacks);
  const rest = new Generator(options.seed).shuffle(attacks.flatMap((attack, i) => (heldOut.has(attack) ? [] : [i])));
  const validationCount = Math.max(1, Math.round(rest.length * options.fraction));
  return {
    fitRows: rest.slice(validationCount),
    validationRows: [...attacks.flatMap((attack, i) => (heldOut.has(attack) ? [i] : [])), ...rest.slice(0, validationCount)],
    heldOutAttacks,
  };
}
