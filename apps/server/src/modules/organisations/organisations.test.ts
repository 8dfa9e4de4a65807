import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { testBackends } from '@rempart/db';
import { anonymous, createWorld, signIn, type TestWorld } from '../../testing.ts';
import { isValidSiren } from './siren.ts';

interface Received { to: string[]; raw: string }

async function startSmtp(): Promise<{ url: string; inbox: Received[]; close(): Promise<void> }> {
  const inbox: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, inbox, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('SIREN', () => {
  it('accepts valid numbers and rejects a single wrong digit', () => {
    expect(isValidSiren('219499902')).toBe(true);
    expect(isValidSiren('219499903')).toBe(false);
    expect(isValidSiren('21949990')).toBe(false);
    expect(isValidSiren('21949990A')).toBe(false);
  });
});

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`organisations and users on ${backend.name}`, () => {
    let world: TestWorld;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    beforeAll(async () => {
      smtp = await startSmtp();
      world = await createWorld(backend, { smtpUrl: smtp.url });
    });
    afterAll(async () => {
      await world?.close();
      await smtp?.close();
    });

    it('mails the invitation through SMTP and does not show the link to the administrator', async () => {
      const admin = await signIn(world, world.users.admin);
      const r = await admin.request('POST', `/api/v1/organisations/${world.orgA}/invitations`, { email: 'Nouvelle.DPO@a.test', role: 'dpo' });
      expect(r.statusCode).toBe(200);
      expect(r.json().inviteUrl).toBeUndefined();
      expect(smtp.inbox).toHaveLength(1);
      expect(smtp.inbox[0]!.to).toEqual(['nouvelle.dpo@a.test']);
      const link = /\/invitation\/([A-Za-z0-9_-]+)/.exec(smtp.inbox[0]!.raw.replace(/=\r?\n/g, ''));
      expect(link).not.toBeNull();
      const described = await anonymous(world.app).request('GET', `/api/v1/auth/invitations/${link![1]}`);
      expect(described.json().role).toBe('dpo');
    });

    it('validates the organisation record (SIREN, INSEE code) field by field', async () => {
      const admin = await signIn(world, world.users.admin);
      const bad = await admin.request('PATCH', `/api/v1/organisations/${world.orgA}`, { siren: '123456789', inseeCode: '9404' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details.map((d: { path: string }) => d.path).sort()).toEqual(['inseeCode', 'siren']);
      const ok = await admin.request('PATCH', `/api/v1/organisations/${world.orgA}`, { population: 18600, dpo: { email: 'dpd@a.test' } });
      expect(ok.json()).toMatchObject({ population: 18600, dpo: { email: 'dpd@a.test' } });
      const duplicate = await (await signIn(world, world.outsider)).request('PATCH', `/api/v1/organisations/${world.orgB}`, { siren: '219499902' });
      expect(duplicate.statusCode).toBe(409);
    });

    it('lets a shared RSSI of a groupement read member organisations but not write', async () => {
      const group = await world.services.db.insertInto('groups').values({ name: 'Agglo' }).returning('id').executeTakeFirstOrThrow();
      await world.services.db.insertInto('group_members').values({ group_id: group.id, organisation_id: world.orgB }).execute();
      await world.services.db.insertInto('group_staff').values({ group_id: group.id, user_id: world.users.rssi.id, role: 'rssi' }).execute();
      const rssi = await signIn(world, world.users.rssi);
      const session = (await rssi.request('GET', '/api/v1/session')).json();
      expect(session.memberships.map((m: { organisationName: string; readOnly: boolean }) => [m.organisationName, m.readOnly])).toEqual([
        ['Commune A', false],
        ['Commune B', true],
      ]);
      expect((await rssi.request('GET', `/api/v1/organisations/${world.orgB}/incidents`)).statusCode).toBe(200);
      const write = await rssi.request('POST', `/api/v1/organisations/${world.orgB}/contacts`, { category: 'assureur', name: 'Assureur B' });
      expect(write.statusCode).toBe(403);
    });

    it('encrypts contact details at rest and audits who listed them', async () => {
      const admin = await signIn(world, world.users.admin);
      await admin.request('POST', `/api/v1/organisations/${world.orgA}/contacts`, { category: 'police', name: 'Commissariat', phone: '01 45 00 00 17', email: 'commissariat@interieur.test' });
      const row = await world.services.db.selectFrom('contacts').selectAll().where('name', '=', 'Commissariat').executeTakeFirstOrThrow();
      expect(row.phone_enc).not.toContain('01 45');
      expect(row.email_enc).not.toContain('commissariat@');
      const listed = (await admin.request('GET', `/api/v1/organisations/${world.orgA}/contacts`)).json();
      expect(listed.find((c: { name: string }) => c.name === 'Commissariat').phone).toBe('01 45 00 00 17');
      const trail = (await admin.request('GET', `/api/v1/organisations/${world.orgA}/audit?object=contacts`)).json();
      expect(trail[0]).toMatchObject({ action: 'read', objectType: 'contacts', actorName: 'admin@a.test' });
    });

    it('disables an account and ends its sessions at once', async () => {
      const agent = await signIn(world, world.users.agent);
      expect((await agent.request('GET', '/api/v1/session')).statusCode).toBe(200);
      const admin = await signIn(world, world.users.admin);
      const r = await admin.request('PATCH', `/api/v1/organisations/${world.orgA}/users/${world.users.agent.id}`, { disabled: true });
      expect(r.json().disabled).toBe(true);
      expect((await agent.request('GET', '/api/v1/session')).statusCode).toBe(401);
      const self = await admin.request('PATCH', `/api/v1/organisations/${world.orgA}/users/${world.users.admin.id}`, { role: 'lecteur' });
      expect(self.statusCode).toBe(409);
    });
  });
}
