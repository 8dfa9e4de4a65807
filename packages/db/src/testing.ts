// Test harness: every integration suite runs on PGlite and, when TEST_DATABASE_URL is set, on a
// fresh database of that PostgreSQL server (created and dropped around the suite).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from './connection.ts';

export interface TestBackend {
  name: 'pglite' | 'postgres';
  /** Why the backend is skipped, or null when it runs. */
  skipReason: string | null;
  open(): Promise<Database & { dispose(): Promise<void> }>;
}

export function testBackends(): TestBackend[] {
  const url = process.env.TEST_DATABASE_URL;
  return [
    {
      name: 'pglite',
      skipReason: null,
      async open() {
        const database = await openDatabase();
        return Object.assign(database, { dispose: () => database.close() });
      },
    },
    {
      name: 'postgres',
      skipReason: url ? null : 'TEST_DATABASE_URL is not set: the PostgreSQL suite is skipped',
      async open() {
        const name = `rempart_test_${randomBytes(6).toString('hex')}`;
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        // Identifiers cannot be bound as parameters; the name is generated here from hex digits only.
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        const target = new URL(url!);
        target.pathname = `/${name}`;
        const database = await openDatabase({ url: target.toString() });
        return Object.assign(database, {
          async dispose() {
            await database.close();
            const cleanup = new pg.Client({ connectionString: url });
            await cleanup.connect();
            await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await cleanup.end();
          },
        });
      },
    },
  ];
}
