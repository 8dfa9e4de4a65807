// `rempart` — the responder's command line: start the platform, administer it, and run the engines
// on files from a laptop.
import { Command, CommanderError } from 'commander';
import { registerPlatformCommands } from './commands/platform.ts';
import { registerOptionalCommands } from './commands/optional.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('rempart')
    .description('Rempart : se préparer, réagir et notifier face à une cyberattaque')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });
  registerPlatformCommands(program);
  await registerOptionalCommands(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`Erreur : ${(error as Error).message}\n`);
    return 1;
  }
}
