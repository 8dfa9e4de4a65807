import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testBackends, json } from './index.ts';

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`database on ${backend.name}`, () => {
    let database: Awaited<ReturnType<typeof backend.open>>;
    beforeAll(async () => {
      database = await backend.open();
    });
    afterAll(async () => database?.dispose());

    it('applies every migration once and records it', async () => {
      const rows = await sql<{ version: string }>`SELECT version FROM schema_migrations`.execute(database.db);
      expect(rows.rows.map((r) => r.version)).toContain('001');
      // A second run applies nothing.
      const { migrate } = await import('./migrate.ts');
      expect(await database.withRunner((r) => migrate(r))).toEqual([]);
    });

    it('round-trips JSON, instants and counts the same way on both backends', async () => {
      const org = await database.db
        .insertInto('organisations')
        .values({ name: 'Commune de Test', kind: 'commune', siren: '213100001' } as never)
        .returning(['id', 'created_at'])
        .executeTakeFirstOrThrow();
      expect(org.created_at).toBeInstanceOf(Date);
      const incident = await database.db
        .insertInto('incidents')
        .values({
          organisation_id: org.id,
          reference: 'INC-1',
          type: 'exfiltration',
          title: 'Fuite',
          aware_at: new Date('2026-03-29T00:30:00Z'),
          affected_systems: json(['logiciel PM']),
          personal_data: json({ involved: true, categories: ['identité'], sensitive: false, minors: false }),
        })
        .returning(['id', 'affected_systems', 'personal_data', 'aware_at'])
        .executeTakeFirstOrThrow();
      expect(incident.affected_systems).toEqual(['logiciel PM']);
      expect(incident.personal_data.categories).toEqual(['identité']);
      expect(incident.aware_at.toISOString()).toBe('2026-03-29T00:30:00.000Z');
      const count = await database.db
        .selectFrom('incidents')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(count.n).toBe(1);
    });

    it('refuses to rewrite or erase the audit trail', async () => {
      await database.db
        .insertInto('audit_log')
        .values({
          seq: 1, at: new Date(), actor_label: 'système', action: 'test', object_type: 'test',
          outcome: 'success', details: json({}), prev_hash: '0', hash: 'h',
        })
        .execute();
      await expect(database.db.updateTable('audit_log').set({ action: 'forged' }).execute()).rejects.toThrow(/append-only/);
      await expect(database.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
    });

    it('keeps a transaction isolated from concurrent queries and rolls it back whole', async () => {
      const before = await database.db.selectFrom('groups').selectAll().execute();
      let concurrent: Promise<unknown[]> | undefined;
      await expect(
        database.db.transaction().execute(async (trx) => {
          await trx.insertInto('groups').values({ name: 'G1' }).execute();
          // Another request's query while the transaction is open must not see its rows.
          concurrent = database.db.selectFrom('groups').selectAll().execute();
          await trx.insertInto('groups').values({ name: 'G2' }).execute();
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await concurrent).toEqual(before);
      expect(await database.db.selectFrom('groups').selectAll().execute()).toEqual(before);
    });
  });
}
