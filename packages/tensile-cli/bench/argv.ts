/** Command-line options of the standalone bench scripts: `--name value` pairs read from process.argv. */

/** The value after `name`, or `fallback` when the option is absent. */
export function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

/** Option `name` as a positive integer; `tool` names the script in the error. */
export function positiveInteger(tool: string, name: string, fallback: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1) throw new Error(`${tool}: ${name} must be a positive integer, got ${option(name, '')}`);
  return value;
}
