// What every `rempart` entry point shares: the program's name and description, and how a parse
// ends (an exit code, French errors on stderr).
import { Command, CommanderError } from 'commander';

export function newProgram(): Command {
  return new Command()
    .name('rempart')
    .description('Rempart : se préparer, réagir et notifier face à une cyberattaque')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });
}

export async function runProgram(program: Command, argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`Erreur : ${(error as Error).message}\n`);
    return 1;
  }
}
