/** `tensile faces …`: the face applications; each part registers its subcommands on this group. */
import type { Command } from 'commander';
import { registerFaceApiCommands } from './faces-face-api.js';

export function registerFacesCommands(program: Command): void {
  const faces = program.command('faces').description('face recognition: landmarks, embeddings, verification');
  registerFaceApiCommands(faces);
}
