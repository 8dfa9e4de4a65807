// What the database itself says about its tables: which exist, their columns, which hold JSON. A
// backup must never silently miss a table or mistype a column added by a later migration.
import { sql, type Kysely, type Transaction } from 'kysely';
import { TABLES_IN_DEPENDENCY_ORDER, type Schema } from '@rempart/db';

type Conn = Kysely<Schema> | Transaction<Schema>;

/** Tables of the application schema, bookkeeping excluded. */
export async function actualTables(db: Conn): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'
    ORDER BY table_name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/** The tables a backup covers, in an order that satisfies foreign keys; fails if the schema has more. */
export async function backupTables(db: Conn): Promise<string[]> {
  const listed = new Set<string>(TABLES_IN_DEPENDENCY_ORDER);
  const missing = (await actualTables(db)).filter((t) => !listed.has(t));
  if (missing.length) {
    throw new Error(`Table(s) absente(s) de la liste de sauvegarde (TABLES_IN_DEPENDENCY_ORDER) : ${missing.join(', ')}. Sauvegarde refusée plutôt qu'incomplète.`);
  }
  return [...TABLES_IN_DEPENDENCY_ORDER];
}

export interface Column {
  name: string;
  type: string;
}

/** Insertable columns (generated ones excluded), from pg_attribute. */
export async function tableColumns(db: Conn, table: string): Promise<Column[]> {
  const rows = await sql<Column>`
    SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
    FROM pg_attribute a
    WHERE a.attrelid = to_regclass(${table}) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
    ORDER BY a.attnum`.execute(db);
  if (rows.rows.length === 0) throw new Error(`Table inconnue dans la base de destination : ${table}`);
  return rows.rows;
}

export async function appliedMigrations(db: Conn): Promise<string[]> {
  const rows = await sql<{ version: string }>`SELECT version FROM schema_migrations ORDER BY version`.execute(db);
  return rows.rows.map((r) => r.version);
}

export async function assertEmptyDatabase(db: Conn, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    const found = await db.selectFrom(table as keyof Schema).select(sql<number>`1`.as('one')).limit(1).executeTakeFirst();
    if (found) throw new Error(`La base de destination contient déjà des données (table ${table}) : la restauration se fait dans une base vide.`);
  }
}
