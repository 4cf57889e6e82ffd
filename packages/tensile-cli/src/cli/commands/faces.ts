/** `tensile faces …`: the face applications; each part registers its subcommands on this group. */
import type { Command } from 'commander';
import { registerFaceApiCommands } from './faces-face-api.js';
import { registerFaceServeCommand } from './faces-serve.js';

export function registerFacesCommands(program: Command): void {
  const faces = program.command('faces').description('faces: landmarks, embeddings, verification and access control');
  registerFaceApiCommands(faces);
  registerFaceServeCommand(faces);
}
