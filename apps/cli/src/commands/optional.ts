// Engine commands live in their own files (owned with their engine); they are added when present so
// that the platform commands never depend on an engine being installed.
import type { Command } from 'commander';

const ENGINE_COMMANDS: [string, string][] = [
  ['./forensics.ts', 'registerForensicsCommands'],
  ['./scope.ts', 'registerScopeCommands'],
];

export async function registerOptionalCommands(program: Command): Promise<void> {
  for (const [file, exportName] of ENGINE_COMMANDS) {
    let module: Record<string, unknown>;
    try {
      module = await import(new URL(file, import.meta.url).href);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(file.slice(2))) continue;
      throw error;
    }
    const register = module[exportName];
    if (typeof register === 'function') register(program);
  }
}
