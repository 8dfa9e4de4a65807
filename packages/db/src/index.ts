export { openDatabase, type Database, type Db, type OpenOptions } from './connection.ts';
export { migrate, listMigrations } from './migrate.ts';
export * from './schema.ts';
export { testBackends, type TestBackend } from './testing.ts';
