// `rempart forensics …` on its own: the entry point compiled into packages/forensics/dist/cli.js
// (scripts/build-forensics.mjs). A scan needs neither the platform (server, database) nor the
// TypeScript loader, whose start-up alone costs more CPU than reading a million events.
import { registerForensicsCommands } from './commands/forensics.ts';
import { newProgram, runProgram } from './program.ts';

export async function main(argv: string[]): Promise<number> {
  const program = newProgram();
  registerForensicsCommands(program);
  return runProgram(program, argv);
}
