// Test support: a real app on a real database (PGlite or PostgreSQL), two organisations, a user per
// role, and a client that signs in through the API (password, then TOTP) like a browser would.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestBackend } from '@rempart/db';
import { json } from '@rempart/db';
import { loadConfig } from './config.ts';
import { buildApp } from './app.ts';
import { createServices } from './bootstrap.ts';
import { createKeys } from './platform/keys.ts';
import { hashPassword } from './modules/auth/passwords.ts';
import { newTotpSecret, totpFor } from './modules/auth/mfa.ts';
import { ROLES, PRIVILEGED_ROLES, type Role } from './platform/permissions.ts';
import type { Services } from './platform/services.ts';

export const TEST_PASSWORD = 'cheval agrafe pile correcte';

export interface TestUser {
  id: string;
  email: string;
  role: Role;
  orgId: string;
  totpSecret: string | null;
}

export interface TestWorld {
  services: Services;
  app: FastifyInstance;
  orgA: string;
  orgB: string;
  users: Record<Role, TestUser>;
  /** Admin of the other organisation. */
  outsider: TestUser;
  clock: { now: Date };
  close(): Promise<void>;
}

export async function createWorld(backend: TestBackend, options: { smtpUrl?: string; smppUrl?: string; smppReceiptWaitSeconds?: number; loginRateLimit?: number; maxUploadMb?: number; maxEvidenceMb?: number } = {}): Promise<TestWorld> {
  const database = await backend.open();
  const clock = { now: new Date() };
  // Suites sign in dozens of times from one address; the rate limit itself is tested with its default.
  const config = loadConfig({
    REMPART_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'rempart-test-')), REMPART_LOG_LEVEL: 'silent', SMTP_URL: options.smtpUrl,
    ...(options.smppUrl ? { SMPP_URL: options.smppUrl, SMPP_SENDER: 'MAIRIE', SMPP_RECEIPT_WAIT_SECONDS: String(options.smppReceiptWaitSeconds ?? 5) } : {}),
    REMPART_LOGIN_RATE_LIMIT: String(options.loginRateLimit ?? 10_000),
    REMPART_MAX_UPLOAD_MB: String(options.maxUploadMb ?? 50),
    REMPART_MAX_EVIDENCE_MB: String(options.maxEvidenceMb ?? 50),
  });
  const services = await createServices(config, {
    database,
    keys: createKeys(randomBytes(32)),
    now: () => new Date(clock.now),
  });
  // Tests run jobs with world.app.jobs.drain(), at the moment they choose.
  const app = await buildApp(services, { pollJobs: false });
  const passwordHash = await hashPassword(TEST_PASSWORD);

  const orgA = (await services.db.insertInto('organisations').values({ name: 'Commune A', kind: 'commune', siren: '219499902' } as never).returning('id').executeTakeFirstOrThrow()).id;
  const orgB = (await services.db.insertInto('organisations').values({ name: 'Commune B', kind: 'commune' } as never).returning('id').executeTakeFirstOrThrow()).id;

  async function addUser(email: string, role: Role, orgId: string): Promise<TestUser> {
    const privileged = PRIVILEGED_ROLES.includes(role);
    const secret = privileged ? newTotpSecret() : null;
    const user = await services.db.insertInto('users').values({ email, name: `Test ${role}`, password_hash: passwordHash }).returning('id').executeTakeFirstOrThrow();
    if (secret) {
      await services.db.updateTable('users').set({
        totp_secret_enc: services.keys.encrypt(secret, `totp:${user.id}`), mfa_enrolled_at: new Date(), recovery_codes: json([]),
      }).where('id', '=', user.id).execute();
    }
    await services.db.insertInto('memberships').values({ user_id: user.id, organisation_id: orgId, role }).execute();
    return { id: user.id, email, role, orgId, totpSecret: secret };
  }
  const users = {} as Record<Role, TestUser>;
  for (const role of ROLES) users[role] = await addUser(`${role}@a.test`, role, orgA);
  const outsider = await addUser('admin@b.test', 'admin', orgB);

  return {
    services, app, orgA, orgB, users, outsider, clock,
    async close() {
      await app.close();
      await database.dispose();
    },
  };
}

export interface Client {
  cookie: string;
  csrf: string;
  request(method: string, url: string, body?: unknown): Promise<LightMyRequestResponse>;
}

function cookieFrom(response: LightMyRequestResponse, previous = ''): string {
  const set = response.cookies.find((c) => c.name === 'rempart_sid');
  return set ? `rempart_sid=${set.value}` : previous;
}

export function anonymous(app: FastifyInstance): Client {
  return {
    cookie: '',
    csrf: '',
    request: (method, url, body) =>
      app.inject({ method: method as never, url, ...(body !== undefined && { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) }),
  };
}

export async function signIn(world: TestWorld, user: TestUser): Promise<Client> {
  const login = await world.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: TEST_PASSWORD } });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  let cookie = cookieFrom(login);
  let csrf = login.json().csrfToken as string;
  if (login.json().status === 'mfa_required') {
    // Each code is single-use: move the simulated clock to the next 30-second step first.
    world.clock.now = new Date(world.clock.now.getTime() + 30_000);
    const code = totpFor(user.totpSecret!, user.email).generate({ timestamp: world.clock.now.getTime() });
    const verify = await world.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/verify', payload: { code }, headers: { cookie, 'x-csrf-token': csrf } });
    if (verify.statusCode !== 200) throw new Error(`mfa failed: ${verify.body}`);
    cookie = cookieFrom(verify, cookie);
    csrf = verify.json().csrfToken;
  }
  const client: Client = {
    cookie,
    csrf,
    request: (method, url, body) =>
      world.app.inject({
        method: method as never,
        url,
        headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      }),
  };
  return client;
}


export { pdfText } from '@rempart/documents';
