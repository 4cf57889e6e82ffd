/** The shared datasets for tests: `TENSILE_DATA`, else `shared/datasets` beside the repository. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to packages/test-support/dist/, so the repository root is three levels up.
const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const sharedDataRoot = process.env.TENSILE_DATA ?? path.resolve(repositoryRoot, '..', 'shared/datasets');

export function sharedDataset(...parts: string[]): string {
  return path.join(sharedDataRoot, ...parts);
}
