/** The `--embedder <kind>` option of the face commands: one of the embedders this build can load. */
import { InvalidArgumentError } from 'commander';
import type { EmbedderKind } from '../apps/faces/embedder.js';
import { AVAILABLE_EMBEDDERS } from '../apps/faces/load-embedder.node.js';

export function embedderKind(value: string): EmbedderKind {
  const kind = AVAILABLE_EMBEDDERS.find((available) => available === value);
  if (kind === undefined) throw new InvalidArgumentError(`unknown embedder '${value}' (available: ${AVAILABLE_EMBEDDERS.join(', ')})`);
  return kind;
}

export const EMBEDDER_OPTION_HELP = `face embedder: ${AVAILABLE_EMBEDDERS.join(', ')}`;
