import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { testBackends, type Database } from '@rempart/db';
import { appendAudit, checkpointNow, verifyAudit } from './audit.ts';
import { createKeys } from './keys.ts';

const keys = createKeys(randomBytes(32));

async function append(database: Database, n: number) {
  for (let i = 0; i < n; i += 1) {
    await database.db.transaction().execute((trx) =>
      appendAudit(trx, keys, {
        actorUserId: null, actorLabel: `agent${i}@commune.fr`, organisationId: null, action: 'read', objectType: 'journal',
        objectId: String(i), outcome: 'success', details: { i, note: 'données de test' },
      }),
    );
  }
}

// Tampering needs the trigger out of the way, as an attacker with database access would do.
async function tamper(database: Database, statement: string) {
  await database.withRunner(async (r) => {
    await r.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await r.exec(statement);
    await r.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
  });
}

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`audit trail on ${backend.name}`, () => {
    let database: Awaited<ReturnType<typeof backend.open>>;
    beforeAll(async () => {
      database = await backend.open();
    });
    afterAll(async () => database?.dispose());

    it('verifies an intact chain with its signed checkpoints', async () => {
      await append(database, 120);
      const result = await verifyAudit(database.db, keys, 17);
      expect(result).toEqual({ ok: true, entries: 120, checkpoints: 2 });
    });

    it('runs concurrent appends without forking the chain', async () => {
      await Promise.all(Array.from({ length: 8 }, () => append(database, 3)));
      const result = await verifyAudit(database.db, keys);
      expect(result.ok).toBe(true);
      expect(result.entries).toBe(144);
    });

    it('names the first modified entry', async () => {
      await tamper(database, `UPDATE audit_log SET actor_label = 'quelquun@ailleurs.fr' WHERE seq = 77`);
      const result = await verifyAudit(database.db, keys);
      expect(result.ok).toBe(false);
      expect(result.firstBroken).toEqual({ seq: 77, reason: expect.stringContaining('modifié') });
      await tamper(database, `UPDATE audit_log SET actor_label = 'agent76@commune.fr' WHERE seq = 77`);
      expect((await verifyAudit(database.db, keys)).ok).toBe(true);
    });

    it('detects a deleted entry in the middle and a truncated tail', async () => {
      await checkpointNow(database.db, keys);
      await tamper(database, 'DELETE FROM audit_log WHERE seq > 140');
      const truncated = await verifyAudit(database.db, keys);
      expect(truncated.ok).toBe(false);
      expect(truncated.firstBroken?.reason).toMatch(/tronqué/);
      await tamper(database, 'DELETE FROM audit_log WHERE seq = 30');
      const gap = await verifyAudit(database.db, keys);
      expect(gap.firstBroken).toEqual({ seq: 30, reason: expect.stringContaining('manquante') });
    });

    it('rejects checkpoints signed with another key', async () => {
      const other = createKeys(randomBytes(32));
      const result = await verifyAudit(database.db, other);
      expect(result.ok).toBe(false);
      expect(result.firstBroken?.reason).toMatch(/signature/);
      const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_checkpoints`.execute(database.db);
      expect(rows.rows[0]!.n).toBeGreaterThanOrEqual(3);
    });
  });
}
