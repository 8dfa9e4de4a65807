// The platform's own audit trail: append-only, hash-chained, with Ed25519-signed checkpoints that
// carry the entry count so that truncating the tail is detected too (a chain alone would not see it).
import { sql, type Transaction } from 'kysely';
import { json, type Db, type Schema } from '@rempart/db';
import { sha256, type Keys } from './keys.ts';

export interface AuditEntryInput {
  actorUserId: string | null;
  actorLabel: string;
  organisationId: string | null;
  action: string;
  objectType: string;
  objectId?: string | null;
  ip?: string | null;
  outcome: 'success' | 'denied' | 'failure';
  details?: Record<string, unknown>;
  at?: Date;
}

const GENESIS = '0'.repeat(64);
const CHECKPOINT_EVERY = 50;
const AUDIT_LOCK = 7_270_033;

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

interface HashedFields {
  seq: number;
  at: Date;
  actor_user_id: string | null;
  actor_label: string;
  organisation_id: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  ip: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

export function entryHash(prevHash: string, row: HashedFields): string {
  return sha256(
    prevHash +
      canonicalJson({
        seq: row.seq,
        at: new Date(row.at).toISOString(),
        actor_user_id: row.actor_user_id,
        actor_label: row.actor_label,
        organisation_id: row.organisation_id,
        action: row.action,
        object_type: row.object_type,
        object_id: row.object_id,
        ip: row.ip,
        outcome: row.outcome,
        details: row.details,
      }),
  );
}

const checkpointMessage = (seq: number, count: number, head: string) => `rempart-audit|${seq}|${count}|${head}`;

/** Appends inside the caller's transaction, so the trail and the change commit or fail together. */
export async function appendAudit(trx: Transaction<Schema>, keys: Keys, input: AuditEntryInput): Promise<number> {
  await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(trx);
  const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const seq = (last?.seq ?? 0) + 1;
  const row: HashedFields = {
    seq,
    at: input.at ?? new Date(),
    actor_user_id: input.actorUserId,
    actor_label: input.actorLabel,
    organisation_id: input.organisationId,
    action: input.action,
    object_type: input.objectType,
    object_id: input.objectId ?? null,
    ip: input.ip ?? null,
    outcome: input.outcome,
    details: input.details ?? {},
  };
  const prevHash = last?.hash ?? GENESIS;
  const hash = entryHash(prevHash, row);
  await trx
    .insertInto('audit_log')
    .values({ ...row, details: json(row.details), prev_hash: prevHash, hash })
    .execute();
  if (seq % CHECKPOINT_EVERY === 0) await writeCheckpoint(trx, keys, seq, hash);
  return seq;
}

async function writeCheckpoint(trx: Transaction<Schema>, keys: Keys, seq: number, head: string): Promise<void> {
  await trx
    .insertInto('audit_checkpoints')
    .values({
      seq,
      entry_count: seq,
      head_hash: head,
      signature: keys.sign(checkpointMessage(seq, seq, head)),
      public_key: keys.publicKey,
    })
    .onConflict((oc) => oc.column('seq').doNothing())
    .execute();
}

/** Signs the current head (used at shutdown and by `rempart audit checkpoint`). */
export async function checkpointNow(db: Db, keys: Keys): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(trx);
    const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    if (!last) return 0;
    await writeCheckpoint(trx, keys, last.seq, last.hash);
    return last.seq;
  });
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  checkpoints: number;
  firstBroken?: { seq: number; reason: string };
}

export async function verifyAudit(db: Db, keys: Keys, batchSize = 5000): Promise<AuditVerification> {
  const checkpoints = await db.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
  const bySeq = new Map(checkpoints.map((c) => [c.seq, c]));
  for (const c of checkpoints) {
    const message = checkpointMessage(c.seq, c.entry_count, c.head_hash);
    if (!keys.verify(message, c.signature, c.public_key) || c.public_key !== keys.publicKey) {
      return { ok: false, entries: 0, checkpoints: checkpoints.length, firstBroken: { seq: c.seq, reason: 'signature de point de contrôle invalide' } };
    }
  }
  let prevHash = GENESIS;
  let expected = 1;
  let count = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', expected)
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const broken = (reason: string, seq = row.seq) => ({ ok: false, entries: count, checkpoints: checkpoints.length, firstBroken: { seq, reason } });
      if (row.seq !== expected) return broken(`entrée ${expected} manquante`, expected);
      if (row.prev_hash !== prevHash) return broken('chaînage rompu (empreinte précédente différente)');
      if (entryHash(prevHash, row as HashedFields) !== row.hash) return broken('contenu modifié (empreinte recalculée différente)');
      const checkpoint = bySeq.get(row.seq);
      if (checkpoint && checkpoint.head_hash !== row.hash) return broken('ne correspond pas au point de contrôle signé');
      prevHash = row.hash;
      expected += 1;
      count += 1;
    }
  }
  const lastCheckpoint = checkpoints.at(-1);
  if (lastCheckpoint && count < lastCheckpoint.entry_count) {
    return {
      ok: false,
      entries: count,
      checkpoints: checkpoints.length,
      firstBroken: { seq: count + 1, reason: `journal tronqué : ${lastCheckpoint.entry_count} entrées attestées, ${count} présentes` },
    };
  }
  return { ok: true, entries: count, checkpoints: checkpoints.length };
}
