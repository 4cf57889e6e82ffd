/**
 * The published library as a user gets it: `npm pack` of packages/tensile installed into an empty
 * project. Its dependency tree holds no application dependency and nothing native, and the README's
 * TypeScript examples compile there against the packed declarations without @types/node
 * (`types: []`, library checks on); the self-contained ones run.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from 'tensile-test-support';

const run = promisify(execFile);
const library = fileURLToPath(new URL('../../..', import.meta.url));
const repository = path.resolve(library, '../..');
const tsc = path.join(repository, 'node_modules', 'typescript', 'bin', 'tsc');

interface Manifest {
  readonly name: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly scripts?: Record<string, string>;
  readonly os?: string[];
  readonly cpu?: string[];
  readonly gypfile?: boolean;
}

interface LsNode {
  readonly dependencies?: Record<string, LsNode>;
}

const readManifest = async (dir: string): Promise<Manifest> => JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as Manifest;

/** Every package folder under node_modules, nested ones included. */
async function installedPackages(modules: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(modules, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dirs = entry.name.startsWith('@') ? (await readdir(path.join(modules, entry.name))).map((name) => path.join(modules, entry.name, name)) : [path.join(modules, entry.name)];
    for (const dir of dirs) {
      found.push(dir);
      found.push(...(await installedPackages(path.join(dir, 'node_modules'))));
    }
  }
  return found;
}

/** Files below `dir` whose names match `pattern`, relative to `dir`. */
async function filesMatching(dir: string, pattern: RegExp): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((file) => pattern.test(path.basename(file)));
}

function namesInTree(node: LsNode): string[] {
  return Object.entries(node.dependencies ?? {}).flatMap(([name, child]) => [name, ...namesInTree(child)]);
}

/** The README's ```ts blocks, in order. */
async function readmeExamples(): Promise<string[]> {
  const readme = await readFile(path.join(repository, 'README.md'), 'utf8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

// Created at load time: a tempDir made inside a before hook is removed when that hook ends.
const project = await tempDir('tensile-pack-');

describe('the packed library in an empty project', () => {
  let examples: string[] = [];

  before(async () => {
    // dist is built by `npm run typecheck` before the tests; --ignore-scripts skips the rebuild.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: library });
    const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'tensile-user', private: true, type: 'module' }));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(project, filename)], { cwd: project });
    examples = await readmeExamples();
  });

  it('depends on no application package and on nothing native', async () => {
    const cli = await readManifest(path.join(repository, 'packages', 'tensile-cli'));
    const own = await readManifest(library);
    const appOnly = Object.keys(cli.dependencies ?? {}).filter((name) => name !== 'tensile' && !(name in (own.dependencies ?? {})));
    assert.ok(appOnly.includes('commander') && appOnly.includes('@resvg/resvg-js'), `the CLI's own dependencies: ${appOnly.join(', ')}`);
    const { stdout } = await run('npm', ['ls', '--omit=dev', '--all', '--json'], { cwd: project });
    const installed = namesInTree(JSON.parse(stdout) as LsNode);
    assert.ok(installed.includes('tensile'));
    assert.deepEqual(installed.filter((name) => appOnly.includes(name)), [], 'application dependencies in the library\'s tree');
    const packages = await installedPackages(path.join(project, 'node_modules'));
    assert.equal(packages.length, new Set(installed).size, `npm ls and node_modules agree: ${packages.map((dir) => path.basename(dir)).join(', ')}`);
    for (const dir of packages) {
      const manifest = await readManifest(dir);
      const scripts = Object.keys(manifest.scripts ?? {}).filter((name) => ['preinstall', 'install', 'postinstall'].includes(name));
      assert.deepEqual(scripts, [], `${manifest.name} runs install scripts`);
      assert.ok(manifest.os === undefined && manifest.cpu === undefined && manifest.gypfile !== true, `${manifest.name} is platform-specific`);
      assert.deepEqual(Object.keys(manifest.optionalDependencies ?? {}), [], `${manifest.name} has optional (prebuilt) dependencies`);
      assert.deepEqual(await filesMatching(dir, /^binding\.gyp$|\.node$/), [], `${manifest.name} ships native code`);
    }
  });

  it('compiles every README example without @types/node and runs the self-contained ones', async () => {
    assert.ok(examples.length >= 5, `${examples.length} TypeScript blocks in the README`);
    const files = examples.map((_, i) => `example-${i + 1}.ts`);
    await Promise.all(examples.map((code, i) => writeFile(path.join(project, files[i]!), code)));
    await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [], skipLibCheck: false, outDir: 'out' },
      files,
    }));
    await run(process.execPath, [tsc, '-p', project], { cwd: project }).catch((e: { stdout: string }) => assert.fail(`tsc:\n${e.stdout}`));
    // The first block (twenty lines of autograd) and the augmentation layers need no dataset.
    const { stdout } = await run(process.execPath, [path.join(project, 'out', 'example-1.js')], { cwd: project });
    // w.toString() prints the fitted weights, tensor([[ 2.0000], [-1.0000], [ 0.5000]]) up to noise.
    const fitted = [...stdout.matchAll(/-?\d+\.\d+/g)].map(([number]) => Math.round(Number(number) * 10) / 10);
    assert.deepEqual(fitted, [2, -1, 0.5], stdout);
    const layers = examples.findIndex((code) => code.includes('RandomErasing'));
    assert.ok(layers >= 0);
    const { stdout: summary } = await run(process.execPath, [path.join(project, 'out', `example-${layers + 1}.js`)], { cwd: project });
    assert.match(summary, /RandomErasing/);
    assert.ok((await stat(path.join(project, 'node_modules', 'tensile', 'LICENSE'))).size > 0, 'the package carries its licence');
  });
});
