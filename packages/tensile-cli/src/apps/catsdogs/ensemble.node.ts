/**
 * Ensembles of image classifiers on disk: a JSON manifest (`<stem>.ensemble.json`) naming member
 * model files beside it (`<stem>-1.safetensors`, …; float or int8), whose softmax outputs are
 * averaged. The manifest is written after its members, atomically, and records each member's size,
 * so a manifest never silently names a member that was half-written or replaced since.
 * Only light modules are imported statically: the int8 latency probe loads ensembles too.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ModelFileError, ValueError } from 'tensile/int8';

const FORMAT = 'tensile.ensemble';
const VERSION = 1;
const MANIFEST_SUFFIX = '.ensemble.json';

interface Manifest {
  readonly format: typeof FORMAT;
  readonly version: number;
  /** How member outputs combine: the mean of their softmax probabilities. */
  readonly combine: 'mean-softmax';
  readonly members: readonly { readonly file: string; readonly bytes: number }[];
}

/** Whether `file` names an ensemble manifest rather than a model file. */
export function isEnsembleFile(file: string): boolean {
  return file.endsWith('.json');
}

/**
 * Where a classifier of `count` networks is written in `dir`: `<stem>.safetensors` for one network;
 * else the members `<stem>-k.safetensors` and, as the file to load, `<stem>.ensemble.json`.
 */
export function classifierPaths(dir: string, stem: string, count: number): { readonly target: string; readonly members: string[] } {
  if (count === 1) {
    const file = path.join(dir, `${stem}.safetensors`);
    return { target: file, members: [file] };
  }
  return { target: path.join(dir, `${stem}${MANIFEST_SUFFIX}`), members: Array.from({ length: count }, (_, k) => path.join(dir, `${stem}-${k + 1}.safetensors`)) };
}

/** The stem of a manifest path (`dir/q.ensemble.json` → `q`), for naming its members; other names are refused. */
export function manifestStem(file: string): string {
  const name = path.basename(file);
  if (!name.endsWith(MANIFEST_SUFFIX) || name === MANIFEST_SUFFIX) throw new ValueError(`${file}: an ensemble is written as a manifest named <stem>${MANIFEST_SUFFIX}`);
  return name.slice(0, -MANIFEST_SUFFIX.length);
}

/**
 * Writes a classifier of `count` networks into `dir` as classifierPaths names it: each network's file
 * through `write`, then (for several) the manifest. Returns the file to load.
 */
export async function writeClassifier(dir: string, stem: string, count: number, write: (file: string, network: number) => Promise<unknown>): Promise<string> {
  const files = classifierPaths(dir, stem, count);
  for (const [k, file] of files.members.entries()) await write(file, k);
  if (count > 1) await writeEnsemble(files.target, files.members);
  return files.target;
}

/** Bytes on disk of a model file, or of an ensemble's manifest and members together. */
export async function classifierBytes(file: string): Promise<number> {
  const files = isEnsembleFile(file) ? [file, ...(await readEnsemble(file))] : [file];
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  return sizes.reduce((a, b) => a + b, 0);
}

/** Writes the manifest of already-written member files (kept beside it, named relative to it). */
async function writeEnsemble(manifestFile: string, memberFiles: readonly string[]): Promise<void> {
  const dir = path.dirname(manifestFile);
  const members = await Promise.all(memberFiles.map(async (file) => {
    if (path.resolve(path.dirname(file)) !== path.resolve(dir)) throw new ModelFileError(manifestFile, `member ${file} must be in the manifest's folder`);
    return { file: path.basename(file), bytes: (await stat(file)).size };
  }));
  const manifest: Manifest = { format: FORMAT, version: VERSION, combine: 'mean-softmax', members };
  // Imported here: tensile/node pulls in the float backends and model format, which the int8 probe avoids.
  const { writeFileAtomic } = await import('tensile/node');
  await writeFileAtomic(manifestFile, new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
}

/** The member files a manifest names, checked to exist with the sizes it recorded. */
export async function readEnsemble(manifestFile: string): Promise<string[]> {
  const fail = (problem: string): never => {
    throw new ModelFileError(manifestFile, problem);
  };
  let manifest: Partial<Manifest> = {};
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Partial<Manifest>;
  } catch (cause) {
    fail(`cannot be read as an ensemble manifest (${(cause as Error).message})`);
  }
  if (manifest.format !== FORMAT) fail(`not an ensemble manifest (format ${JSON.stringify(manifest.format)}, expected "${FORMAT}")`);
  if (manifest.version !== VERSION) fail(`ensemble format version ${manifest.version}, this Tensile reads ${VERSION}`);
  if (manifest.combine !== 'mean-softmax') fail(`unknown way to combine members: ${JSON.stringify(manifest.combine)}`);
  const members = manifest.members;
  if (!Array.isArray(members) || members.length < 2) return fail(`names ${Array.isArray(members) ? members.length : 'no'} members; an ensemble has at least 2`);
  return Promise.all(members.map(async (member, k) => {
    if (typeof member?.file !== 'string' || member.file.includes('/') || member.file.includes('\\')) fail(`member ${k + 1} is not a file name beside the manifest`);
    const file = path.join(path.dirname(manifestFile), member.file);
    const bytes = await stat(file).then((s) => s.size, () => fail(`member ${k + 1}, ${file}, does not exist`));
    if (bytes !== member.bytes) fail(`member ${k + 1}, ${file}, has ${bytes} bytes, the manifest recorded ${member.bytes}: it was replaced or is incomplete`);
    return file;
  }));
}
