// One entry point for both backends: PGlite (embedded, a folder on disk or memory) by default,
// a PostgreSQL server when a URL is given. Same migrations, same queries.
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { pgliteDialect } from './pglite-dialect.ts';
import { migrate, type SqlRunner } from './migrate.ts';
import type { Schema } from './schema.ts';

// int8 as JS numbers (counts and sequence numbers stay far below 2^53), as PGlite already does.
pg.types.setTypeParser(20, (value) => Number(value));

export type Db = Kysely<Schema>;

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** A single-connection runner for scripts (migrations, restore). */
  withRunner<T>(fn: (runner: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://… to use a PostgreSQL server. */
  url?: string;
  /** Folder for PGlite; absent means in memory. */
  dataDir?: string;
  /** Run pending migrations (default true). */
  migrate?: boolean;
}

export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  const database = options.url ? openPostgres(options.url) : await openPglite(options.dataDir);
  if (options.migrate !== false) {
    try {
      await database.withRunner((runner) => migrate(runner));
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

async function openPglite(dataDir?: string): Promise<Database> {
  const pglite = dataDir ? new PGlite(dataDir) : new PGlite();
  await pglite.waitReady;
  const db = new Kysely<Schema>({ dialect: pgliteDialect(pglite) });
  return {
    kind: 'pglite',
    db,
    async withRunner(fn) {
      // Borrow the single connection through Kysely so no other query interleaves.
      return db.connection().execute(async () =>
        fn({
          exec: async (sql) => {
            await pglite.exec(sql);
          },
          query: async <T,>(sql: string, params: unknown[] = []) => (await pglite.query<T>(sql, params)).rows,
        }),
      );
    },
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
}

function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection dropped by the server (restart, failover, DROP DATABASE … FORCE) must not
  // take the process down: the pool replaces it on next use.
  pool.on('error', (error: Error & { code?: string }) => {
    if (error.code !== '57P01') process.stderr.write(`PostgreSQL: connexion inactive perdue (${error.message})\n`);
  });
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    async withRunner(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          exec: async (sql) => {
            await client.query(sql);
          },
          query: async <T,>(sql: string, params: unknown[] = []) =>
            (await client.query(sql, params)).rows as T[],
        });
      } finally {
        client.release();
      }
    },
    async close() {
      await db.destroy();
    },
  };
}
