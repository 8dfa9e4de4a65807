// Numbered SQL files in packages/db/migrations run in order, once, at start-up and in tests.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const migrationsDir = fileURLToPath(new URL('../migrations/', import.meta.url));

/** One connection: migrations need BEGIN and COMMIT on the same session. */
export interface SqlRunner {
  /** Runs a script that may hold several statements, with no parameters. */
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export async function listMigrations(): Promise<{ version: string; file: string }[]> {
  const files = (await readdir(migrationsDir)).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort();
  return files.map((file) => ({ version: file.slice(0, 3), file: path.join(migrationsDir, file) }));
}

export async function migrate(runner: SqlRunner): Promise<string[]> {
  await runner.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const applied = new Set(
    (await runner.query<{ version: string }>('SELECT version FROM schema_migrations')).map((r) => r.version),
  );
  const done: string[] = [];
  for (const m of await listMigrations()) {
    if (applied.has(m.version)) continue;
    const sql = await readFile(m.file, 'utf8');
    // One transaction per file: a failed migration leaves the schema as it was.
    await runner.exec('BEGIN');
    try {
      await runner.exec(sql);
      await runner.query('INSERT INTO schema_migrations(version) VALUES ($1)', [m.version]);
      await runner.exec('COMMIT');
    } catch (error) {
      await runner.exec('ROLLBACK');
      throw new Error(`migration ${path.basename(m.file)} failed: ${(error as Error).message}`, { cause: error });
    }
    done.push(m.version);
  }
  return done;
}
