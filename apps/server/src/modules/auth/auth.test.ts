import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '@rempart/db';
import { totpFor } from './mfa.ts';
import { anonymous, createWorld, signIn, TEST_PASSWORD, type TestWorld } from '../../testing.ts';
import { verifyAudit } from '../../platform/audit.ts';

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`sign-in and sessions on ${backend.name}`, () => {
    let world: TestWorld;
    beforeAll(async () => {
      world = await createWorld(backend);
    });
    afterAll(async () => world?.close());

    it('asks a privileged user for the TOTP code and grants nothing before it', async () => {
      const login = await anonymous(world.app).request('POST', '/api/v1/auth/login', { email: 'DPO@a.test ', password: TEST_PASSWORD });
      expect(login.statusCode).toBe(200);
      expect(login.json().status).toBe('mfa_required');
      const cookie = `rempart_sid=${login.cookies.find((c) => c.name === 'rempart_sid')!.value}`;
      const blocked = await world.app.inject({ method: 'GET', url: `/api/v1/organisations/${world.orgA}/incidents`, headers: { cookie } });
      expect(blocked.statusCode).toBe(403);
      expect(blocked.json().code).toBe('mfa_required');
      const session = await world.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } });
      expect(session.json().mfa).toEqual({ enrolled: true, required: true, verified: false });
    });

    it('rotates the session token at login and after MFA, and the old token stops working', async () => {
      const user = world.users.rssi;
      const login = await anonymous(world.app).request('POST', '/api/v1/auth/login', { email: user.email, password: TEST_PASSWORD });
      const first = login.cookies.find((c) => c.name === 'rempart_sid')!;
      expect(first.httpOnly).toBe(true);
      expect(first.sameSite).toBe('Lax');
      const code = totpFor(user.totpSecret!, user.email).generate({ timestamp: world.clock.now.getTime() });
      const verify = await world.app.inject({
        method: 'POST', url: '/api/v1/auth/mfa/verify', payload: { code },
        headers: { cookie: `rempart_sid=${first.value}`, 'x-csrf-token': login.json().csrfToken },
      });
      expect(verify.statusCode).toBe(200);
      const second = verify.cookies.find((c) => c.name === 'rempart_sid')!;
      expect(second.value).not.toBe(first.value);
      const old = await world.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: `rempart_sid=${first.value}` } });
      expect(old.statusCode).toBe(401);
    });

    it('locks the account after repeated failures, even for the right password', async () => {
      const user = world.users.lecteur;
      for (let i = 0; i < 5; i += 1) {
        const r = await anonymous(world.app).request('POST', '/api/v1/auth/login', { email: user.email, password: 'mauvais mot de passe' });
        expect(r.statusCode).toBe(401);
        expect(r.json().code).toBe('invalid_credentials');
      }
      const locked = await anonymous(world.app).request('POST', '/api/v1/auth/login', { email: user.email, password: TEST_PASSWORD });
      expect(locked.statusCode).toBe(429);
      expect(locked.json().code).toBe('account_locked');
      world.clock.now = new Date(world.clock.now.getTime() + 2 * 60_000);
      const after = await anonymous(world.app).request('POST', '/api/v1/auth/login', { email: user.email, password: TEST_PASSWORD });
      expect(after.statusCode).toBe(200);
    });

    it('says the same thing for an unknown account and a wrong password', async () => {
      const unknown = await anonymous(world.app).request('POST', '/api/v1/auth/login', { email: 'nobody@a.test', password: 'x' });
      const wrong = await anonymous(world.app).request('POST', '/api/v1/auth/login', { email: world.users.agent.email, password: 'x' });
      expect(unknown.json()).toEqual(wrong.json());
    });

    it('refuses a state change without the CSRF token', async () => {
      const client = await signIn(world, world.users.admin);
      const r = await world.app.inject({
        method: 'POST', url: `/api/v1/organisations/${world.orgA}/contacts`,
        headers: { cookie: client.cookie, 'content-type': 'application/json' },
        payload: { category: 'assureur', name: 'Assureur' },
      });
      expect(r.statusCode).toBe(403);
      expect(r.json().code).toBe('csrf_failed');
    });

    it('ends an idle session and an over-long one', async () => {
      const client = await signIn(world, world.users.agent);
      expect((await client.request('GET', '/api/v1/session')).statusCode).toBe(200);
      world.clock.now = new Date(world.clock.now.getTime() + 31 * 60_000);
      expect((await client.request('GET', '/api/v1/session')).statusCode).toBe(401);
      const again = await signIn(world, world.users.agent);
      for (let i = 0; i < 25; i += 1) {
        world.clock.now = new Date(world.clock.now.getTime() + 29 * 60_000);
        await again.request('GET', '/api/v1/session');
      }
      expect((await again.request('GET', '/api/v1/session')).statusCode).toBe(401);
    });

    it('enrols a new administrator in TOTP through an invitation, with single-use recovery codes', async () => {
      const admin = await signIn(world, world.users.admin);
      const invite = await admin.request('POST', `/api/v1/organisations/${world.orgA}/invitations`, { email: 'nouvel.admin@a.test', role: 'admin' });
      expect(invite.statusCode).toBe(200);
      const token = new URL(invite.json().inviteUrl).pathname.split('/').pop()!;
      const described = await anonymous(world.app).request('GET', `/api/v1/auth/invitations/${token}`);
      expect(described.json()).toMatchObject({ email: 'nouvel.admin@a.test', organisationName: 'Commune A', role: 'admin' });
      const weak = await anonymous(world.app).request('POST', `/api/v1/auth/invitations/${token}/accept`, { name: 'Nouvel Admin', password: 'court' });
      expect(weak.statusCode).toBe(400);
      expect(weak.json().details[0].path).toBe('password');
      const accept = await anonymous(world.app).request('POST', `/api/v1/auth/invitations/${token}/accept`, { name: 'Nouvel Admin', password: TEST_PASSWORD });
      expect(accept.statusCode).toBe(200);
      const reuse = await anonymous(world.app).request('POST', `/api/v1/auth/invitations/${token}/accept`, { name: 'Xavier Autre', password: TEST_PASSWORD });
      expect(reuse.statusCode).toBe(404);

      const login = await anonymous(world.app).request('POST', '/api/v1/auth/login', { email: 'nouvel.admin@a.test', password: TEST_PASSWORD });
      expect(login.json().status).toBe('mfa_enrolment_required');
      let cookie = `rempart_sid=${login.cookies.find((c) => c.name === 'rempart_sid')!.value}`;
      let csrf = login.json().csrfToken;
      const start = await world.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/enrol/start', headers: { cookie, 'x-csrf-token': csrf } });
      expect(start.statusCode).toBe(200);
      expect(start.json().qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
      const secret = start.json().secret as string;
      const bad = await world.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/enrol/confirm', payload: { code: '000000' }, headers: { cookie, 'x-csrf-token': csrf } });
      expect(bad.statusCode).toBe(400);
      const code = totpFor(secret, 'nouvel.admin@a.test').generate({ timestamp: world.clock.now.getTime() });
      const confirm = await world.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/enrol/confirm', payload: { code }, headers: { cookie, 'x-csrf-token': csrf } });
      expect(confirm.statusCode).toBe(200);
      const recovery = confirm.json().recoveryCodes as string[];
      expect(recovery).toHaveLength(10);

      // Next sign-in: a recovery code works once, then no more.
      const next = await anonymous(world.app).request('POST', '/api/v1/auth/login', { email: 'nouvel.admin@a.test', password: TEST_PASSWORD });
      cookie = `rempart_sid=${next.cookies.find((c) => c.name === 'rempart_sid')!.value}`;
      csrf = next.json().csrfToken;
      const used = await world.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', payload: { code: recovery[0] }, headers: { cookie, 'x-csrf-token': csrf } });
      expect(used.statusCode).toBe(200);
      const again = await anonymous(world.app).request('POST', '/api/v1/auth/login', { email: 'nouvel.admin@a.test', password: TEST_PASSWORD });
      const cookie2 = `rempart_sid=${again.cookies.find((c) => c.name === 'rempart_sid')!.value}`;
      const reused = await world.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', payload: { code: recovery[0] }, headers: { cookie: cookie2, 'x-csrf-token': again.json().csrfToken } });
      expect(reused.statusCode).toBe(400);
    });

    it('refuses a TOTP code used twice', async () => {
      const user = world.users.admin;
      world.clock.now = new Date(world.clock.now.getTime() + 60_000);
      const code = totpFor(user.totpSecret!, user.email).generate({ timestamp: world.clock.now.getTime() });
      const verifyWith = async () => {
        const login = await anonymous(world.app).request('POST', '/api/v1/auth/login', { email: user.email, password: TEST_PASSWORD });
        const cookie = `rempart_sid=${login.cookies.find((c) => c.name === 'rempart_sid')!.value}`;
        return world.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', payload: { code }, headers: { cookie, 'x-csrf-token': login.json().csrfToken } });
      };
      const first = await verifyWith();
      expect(first.statusCode).toBe(200);
      expect((await verifyWith()).statusCode).toBe(400);
    });

    it('ends the sessions of a person whose role changes, so a privileged role starts with MFA', async () => {
      const agent = await signIn(world, world.users.prestataire);
      const admin = await signIn(world, world.users.admin);
      await admin.request('PATCH', `/api/v1/organisations/${world.orgA}/users/${world.users.prestataire.id}`, { role: 'rssi' });
      expect((await agent.request('GET', '/api/v1/session')).statusCode).toBe(401);
      const login = await anonymous(world.app).request('POST', '/api/v1/auth/login', { email: world.users.prestataire.email, password: TEST_PASSWORD });
      expect(login.json().status).toBe('mfa_enrolment_required');
    });

    it('stores TOTP secrets encrypted and records every sign-in in an intact audit trail', async () => {
      const row = await world.services.db.selectFrom('users').select('totp_secret_enc').where('id', '=', world.users.dpo.id).executeTakeFirstOrThrow();
      expect(row.totp_secret_enc).toMatch(/^v1\./);
      expect(row.totp_secret_enc).not.toContain(world.users.dpo.totpSecret);
      const logins = await world.services.db.selectFrom('audit_log').select(['action', 'outcome']).where('action', '=', 'login').execute();
      expect(logins.some((l) => l.outcome === 'failure')).toBe(true);
      expect(logins.some((l) => l.outcome === 'success')).toBe(true);
      expect((await verifyAudit(world.services.db, world.services.keys)).ok).toBe(true);
    });
  });
}
