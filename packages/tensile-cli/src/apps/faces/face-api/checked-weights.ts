/**
 * Matches a decoded TF.js manifest against the tensors an architecture needs, so that a manifest from
 * another network, or weights of the wrong shape, are refused before anything runs.
 */
import { ModelFileError, type Tensor } from 'tensile';

/** Tensor name → the shape the architecture needs. */
export type WeightShapes = ReadonlyMap<string, readonly number[]>;

const list = (names: readonly string[]): string => (names.length > 4 ? `${names.slice(0, 4).join(', ')}, … (${names.length} in all)` : names.join(', '));

/**
 * `weights` restricted to `expected`, in its order. Refuses missing or extra tensors (naming `network` and
 * a few of the names) and any tensor whose shape differs (naming it and both shapes).
 */
export function checkedWeights(weights: Readonly<Record<string, Tensor>>, expected: WeightShapes, network: string, file: string): Map<string, Tensor> {
  const missing = [...expected.keys()].filter((name) => !(name in weights));
  const extra = Object.keys(weights).filter((name) => !expected.has(name));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [missing.length > 0 ? `lacks ${list(missing)}` : '', extra.length > 0 ? `has tensors it does not use: ${list(extra)}` : ''].filter(Boolean);
    throw new ModelFileError(file, `not the ${network}'s weights: the manifest ${parts.join('; ')}`);
  }
  const out = new Map<string, Tensor>();
  for (const [name, shape] of expected) {
    const t = weights[name]!;
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ModelFileError(file, `tensor '${name}': the ${network} needs [${shape.join(', ')}], the file holds [${t.shape.join(', ')}]`);
    }
    out.set(name, t);
  }
  return out;
}
