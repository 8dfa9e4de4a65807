import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '@rempart/db';
import { loadConfig } from '../config.ts';
import { createServices } from '../bootstrap.ts';
import { createKeys } from '../platform/keys.ts';
import { verifyAudit } from '../platform/audit.ts';
import { listIncidents } from '../modules/incidents/service.ts';
import type { Services } from '../platform/services.ts';
import { DEMO_USERS, demoDoneTasks, seedDemo, type DemoResult } from './seed.ts';

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

    it('always leaves a late task on the dashboard, whatever the time of day the demo is created', async () => {
      const open = await services.db.selectFrom('tasks').select(['id', 'due_at']).where('incident_id', '=', demo.incidentId).where('status', '<>', 'done').where('due_at', '<', services.now()).execute();
      expect(open.length).toBeGreaterThan(0);
      // The same runbook tasks (due relative to "yesterday 18:40"), the demo started at every half hour of the day in Paris.
      const tasks = await services.db.selectFrom('tasks').select(['id', 'due_at']).where('incident_id', '=', demo.incidentId).execute();
      for (let minutes = 0; minutes < 24 * 60; minutes += 30) {
        const now = new Date(Date.parse('2026-11-21T23:00:00Z') + minutes * 60_000);
        const done = demoDoneTasks(tasks, now);
        const late = tasks.filter((t) => t.due_at < now && !done.has(t.id));
        expect(late.length, now.toISOString()).toBeGreaterThan(0);
        expect([...done].every((id) => tasks.find((t) => t.id === id)!.due_at <= now)).toBe(true);
      }
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
