/* global console, process */
/**
 * Builds the native kernels with node-gyp at install, from source, against the headers of the
 * running Node (no download). Install never fails because of it: without a compiler (or on any
 * build error) it prints one line and tensile keeps using its WASM backend.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = resolve(dirname(process.execPath), '..');

function nodeGyp() {
  const candidates = [process.env.npm_config_node_gyp, join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')];
  return candidates.find((path) => path !== undefined && path !== '' && existsSync(path));
}

function fail(reason) {
  console.log(`@tensile/backend-native: not built (${reason}); tensile will use its WASM backend`);
  process.exit(0);
}

const gyp = nodeGyp();
if (!gyp) fail('node-gyp not found');
// The headers that ship with Node (include/node) avoid node-gyp's header download.
if (!existsSync(join(prefix, 'include/node/node_api.h'))) fail(`no Node headers under ${prefix}/include/node`);
const started = Date.now();
const result = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${prefix}`], { cwd: packageDir, encoding: 'utf8' });
if (result.status !== 0) {
  const output = `${result.stderr ?? ''}${result.stdout ?? ''}`;
  const missingTool = /find Python|not found|No such file|ENOENT/.test(output) && /(cc|gcc|g\+\+|make|python)/i.test(output);
  const reason = missingTool ? 'no C toolchain: node-gyp needs a C compiler, make and python3' : 'build failed';
  const detail = output.split('\n').find((line) => /error|find Python/i.test(line))?.trim() ?? `exit ${String(result.status)}`;
  fail(`${reason}: ${detail.slice(0, 160)}`);
}
console.log(`@tensile/backend-native: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
