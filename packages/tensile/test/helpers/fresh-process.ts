import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from 'tensile-test-support';

/** `href` of a module of the build, for imports in a fresh-process script. */
export function moduleUrl(relative: string, from: string): string {
  return JSON.stringify(new URL(relative, from).href);
}

export interface FreshProcessOptions {
  readonly env?: Record<string, string>;
  /** Node flags, e.g. engine features behind a V8 flag. */
  readonly nodeArgs?: readonly string[];
}

/**
 * Runs an ES module script in a new Node process (whose registry has no backend yet) and returns
 * what it printed. A script file, not --eval: worker threads inherit the flags, and --input-type breaks them.
 */
export async function runInFreshProcess(script: string, options: FreshProcessOptions = {}): Promise<string> {
  const file = path.join(await tempDir('tensile-fresh-'), 'script.mjs');
  await writeFile(file, script);
  return execFileSync(process.execPath, [...(options.nodeArgs ?? []), file], { encoding: 'utf8', env: { ...process.env, ...options.env } });
}
