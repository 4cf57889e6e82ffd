import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './temp-dir.js';

/** `href` of a module of the build, for imports in a fresh-process script. */
export function moduleUrl(relative: string, from: string): string {
  return JSON.stringify(new URL(relative, from).href);
}

/**
 * Runs an ES module script in a new Node process (whose registry has no backend yet) and returns
 * what it printed. A script file, not --eval: worker threads inherit the flags, and --input-type breaks them.
 */
export async function runInFreshProcess(script: string, env: Record<string, string> = {}): Promise<string> {
  const file = path.join(await tempDir('tensile-fresh-'), 'script.mjs');
  await writeFile(file, script);
  return execFileSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, ...env } });
}
