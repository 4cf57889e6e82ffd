/** `tensile faces …`: the face applications; each part registers its subcommands on this group. */
import type { Command } from 'commander';
import { registerFaceApiCommands } from './faces-face-api.js';
import { registerFaceDetectorCommands } from './faces-detector.js';
import { registerFaceEmbedderCommands } from './faces-embedder.js';
import { registerFaceServeCommand } from './faces-serve.js';
import { registerFaceVerifyCommands } from './faces-verify.js';

export function registerFacesCommands(program: Command): void {
  const faces = program.command('faces').description('faces: detection, landmarks, embeddings, verification and access control');
  registerFaceDetectorCommands(faces);
  registerFaceApiCommands(faces);
  registerFaceEmbedderCommands(faces);
  registerFaceVerifyCommands(faces);
  registerFaceServeCommand(faces);
}
