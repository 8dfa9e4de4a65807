import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '@rempart/db';
import { loadConfig } from '../config.ts';
import { createServices } from '../bootstrap.ts';
import { createKeys } from '../platform/keys.ts';
import { verifyAudit } from '../platform/audit.ts';
import { listIncidents } from '../modules/incidents/service.ts';
import type { Services } from '../platform/services.ts';
import { DEMO_USERS, seedDemo, type DemoResult } from './seed.ts';

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`demo organisation on ${backend.name}`, () => {
    let services: Services;
    let demo: DemoResult;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      const database = await backend.open();
      dispose = database.dispose;
      services = await createServices(loadConfig({ REMPART_DATA_DIR: '/tmp/rempart-demo-test' }), { database, keys: createKeys(randomBytes(32)), now: () => new Date('2026-11-22T09:00:00Z') });
      demo = await seedDemo(services);
    });
    afterAll(async () => dispose?.());

    it('shows a Joinville-like leak discovered yesterday, half-way through its runbook', async () => {
      const [incident] = await listIncidents(services.db, demo.organisationId, services.now());
      expect(incident!.type).toBe('exfiltration');
      expect(incident!.personalData.approxPersons).toBe(10_000);
      expect(incident!.awareAt).toBe('2026-11-21T17:40:00.000Z'); // yesterday 18:40 in Paris
      expect(incident!.clock.state).toBe('running');
      const tasks = await services.db.selectFrom('tasks').select('status').where('incident_id', '=', demo.incidentId).execute();
      const done = tasks.filter((t) => t.status === 'done').length;
      expect(done).toBeGreaterThan(tasks.length / 4);
      expect(done).toBeLessThan(tasks.length);
      const journal = await services.db.selectFrom('journal_entries').select('id').where('incident_id', '=', demo.incidentId).execute();
      expect(journal.length).toBeGreaterThanOrEqual(6);
    });

    it('has five users in different roles, no password anywhere, and a one-time link for the administrator', async () => {
      const users = await services.db.selectFrom('users').select(['email', 'password_hash']).execute();
      expect(users.map((u) => u.email).sort()).toEqual(DEMO_USERS.map((u) => u.email).sort());
      expect(new Set(DEMO_USERS.map((u) => u.role)).size).toBe(5);
      expect(users.every((u) => u.password_hash === null)).toBe(true);
      expect(demo.adminSetupUrl).toMatch(/\/invitation\/[\w-]{40,}$/);
    });

    it('leaves an intact audit trail', async () => {
      expect((await verifyAudit(services.db, services.keys)).ok).toBe(true);
    });
  });
}
