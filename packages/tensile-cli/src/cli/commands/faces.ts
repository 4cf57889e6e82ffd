/** `tensile faces …`: the face applications (the access-control service; detection and recognition register here too). */
import type { Command } from 'commander';
import { registerFaceServeCommand } from './faces-serve.js';

export function registerFacesCommands(program: Command): void {
  const group = program.command('faces').description('faces: detection, recognition and access control');
  registerFaceServeCommand(group);
}
