/**
 * The validation split of KDDTrain+. KDDTest+ is hard mainly because of attack types that never
 * occur in training, so a random split alone (whose attacks all look like training attacks) would
 * choose thresholds and epochs for the wrong problem. The split therefore holds out, from training
 * entirely, one attack type per category — the rarest type with at least `minHeldOut` records that
 * is not the category's most common type, a rule fixed before any test run — and adds a random
 * share of all other records. Thresholds and
 * early stopping then reward detecting attacks the detector has never seen.
 */
import { Generator } from 'tensile';

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
}

/** `attacks[i]` is row i's label (`normal` or an attack type), `categories[i]` its category (0 = normal). */
export function splitTraining(attacks: readonly string[], categories: ArrayLike<number>, options: SplitOptions): TrainingSplit {
  const counts = new Map<string, { count: number; category: number }>();
  attacks.forEach((attack, i) => {
    const entry = counts.get(attack) ?? { count: 0, category: categories[i]! };
    entry.count++;
    counts.set(attack, entry);
  });
  const largestPerCategory = new Map<number, number>();
  for (const { count, category } of counts.values()) largestPerCategory.set(category, Math.max(count, largestPerCategory.get(category) ?? 0));
  const rarestPerCategory = new Map<number, [string, number]>();
  for (const [attack, { count, category }] of counts) {
    if (category === 0 || count < options.minHeldOut || count === largestPerCategory.get(category)) continue;
    const current = rarestPerCategory.get(category);
    if (!current || count < current[1] || (count === current[1] && attack < current[0])) rarestPerCategory.set(category, [attack, count]);
  }
  const heldOutAttacks = [...rarestPerCategory.values()].map(([attack]) => attack).sort();
  const heldOut = new Set(heldOutAttacks);
  const rest = new Generator(options.seed).shuffle(attacks.flatMap((attack, i) => (heldOut.has(attack) ? [] : [i])));
  const validationCount = Math.max(1, Math.round(rest.length * options.fraction));
  return {
    fitRows: rest.slice(validationCount),
    validationRows: [...attacks.flatMap((attack, i) => (heldOut.has(attack) ? [i] : [])), ...rest.slice(0, validationCount)],
    heldOutAttacks,
  };
}
