// Kysely speaks to PGlite through the PostgreSQL driver: PGlite is one connection, so the pool
// hands it to one borrower at a time, which keeps a transaction's statements together.
import type { PGlite } from '@electric-sql/pglite';
import { PostgresDialect } from 'kysely';

class Mutex {
  private tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

export function pgliteDialect(pglite: PGlite): PostgresDialect {
  const mutex = new Mutex();
  const client = {
    async query(sql: string, parameters: readonly unknown[]) {
      const result = await pglite.query(sql, parameters as unknown[]);
      return {
        rows: result.rows,
        command: firstWord(sql),
        rowCount: result.affectedRows ?? result.rows.length,
      };
    },
  };
  const pool = {
    async connect() {
      const release = await mutex.acquire();
      return { ...client, release };
    },
    async end() {
      /* the owner closes the PGlite instance */
    },
  };
  return new PostgresDialect({ pool: pool as never });
}

function firstWord(sql: string): string {
  const match = /^\s*(\w+)/.exec(sql);
  return (match?.[1] ?? '').toUpperCase();
}
