/**
 * The one check of option objects and argument counts at the public boundary. JavaScript callers
 * have no compiler: `conv2d(x, w, {stride: 2})` would run with stride 1, `slice(x, [0], [5])` would
 * ignore its third argument. Unknown keys and extra arguments are errors naming what was accepted,
 * with a "did you mean" for near misses and for the names other libraries use.
 */
import { ValueError } from './errors.js';

/** Names other libraries use for an option, tried when no accepted name is a near miss. */
const OTHER_LIBRARIES: Readonly<Record<string, readonly string[]>> = {
  kernelSize: ['poolSize'],
  kernel_size: ['poolSize', 'kernelSize'],
  pool_size: ['poolSize'],
  unbiased: ['correction'],
  ddof: ['correction'],
  keepdim: ['keepDims'],
  keepdims: ['keepDims'],
  dim: ['axis', 'axes'],
  stride: ['strides'],
  dilation_rate: ['dilationRate', 'dilation'],
};

/** Why an unknown name is not a typo of anything, where another library taught it. */
const NOT_AN_OPTION: Readonly<Record<string, string>> = {
  requiresGrad: 'call .requiresGrad_() on the result to track gradients',
};

/** Edits (insert, delete, substitute, swap two neighbours) between two names: `dtpye` is 1 from `dtype`. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The accepted name a caller most likely meant by `name`, if any is close. */
export function didYouMean(name: string, accepted: readonly string[]): string | undefined {
  const known = OTHER_LIBRARIES[name]?.find((candidate) => accepted.includes(candidate));
  if (known !== undefined) return known;
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const candidate of accepted) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/**
 * Refuses keys of `options` that are not in `accepted`. `where` names the function or layer.
 * Undefined and non-object options pass (defaults apply; other checks reject wrong types).
 */
export function checkOptions(where: string, options: unknown, accepted: readonly string[]): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return;
  for (const key of Object.keys(options)) {
    if (accepted.includes(key)) continue;
    const guess = didYouMean(key, accepted);
    const hint = guess !== undefined ? `. Did you mean '${guess}'?` : NOT_AN_OPTION[key] !== undefined ? ` (${NOT_AN_OPTION[key]}).` : '.';
    throw new ValueError(`${where}: unknown option '${key}'${hint} Accepted options: ${accepted.length > 0 ? accepted.join(', ') : 'none'}`);
  }
}

/** How a public function is called: at most `maxArgs` arguments, and the option names of the one at `optionsAt`. */
export interface CallSpec {
  readonly maxArgs: number;
  readonly optionsAt?: number;
  readonly options?: readonly string[];
}

/** Refuses extra positional arguments and unknown option keys of a call. */
export function checkCall(where: string, args: readonly unknown[], spec: CallSpec): void {
  if (args.length > spec.maxArgs) {
    throw new ValueError(`${where}: takes at most ${spec.maxArgs} arguments, got ${args.length} (argument ${spec.maxArgs + 1} would be ignored)`);
  }
  if (spec.options !== undefined && spec.optionsAt !== undefined) checkOptions(where, args[spec.optionsAt], spec.options);
}

type Missing<T, K extends readonly unknown[]> = Exclude<keyof T, K[number]>;

/**
 * The option names of `T` as a runtime list, checked by the compiler to be all of them and only
 * them, so the list cannot drift from the interface: `optionNames<Pool2DOptions>()('poolSize', 'strides', 'padding')`.
 */
export function optionNames<T extends object>() {
  return <const K extends readonly (keyof T & string)[]>(...names: K & ([Missing<T, K>] extends [never] ? unknown : { readonly missing: Missing<T, K> })): readonly string[] => names;
}
