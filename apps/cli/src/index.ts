// `rempart` — the responder's command line: start the platform, administer it, and run the engines
// on files from a laptop.
import { registerPlatformCommands } from './commands/platform.ts';
import { registerOptionalCommands } from './commands/optional.ts';
import { newProgram, runProgram } from './program.ts';

export async function main(argv: string[]): Promise<number> {
  const program = newProgram();
  registerPlatformCommands(program);
  await registerOptionalCommands(program);
  return runProgram(program, argv);
}
