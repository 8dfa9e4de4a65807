// Hostile and malformed requests: headers, CSP, body limits, broken JSON, wrong content types,
// path tricks and rate limits. Nothing may crash the server or leak an internal error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '@rempart/db';
import { anonymous, createWorld, signIn, type TestWorld } from '../testing.ts';

const pglite = testBackends().find((b) => b.name === 'pglite')!;

describe('HTTP hardening', () => {
  let world: TestWorld;
  beforeAll(async () => {
    world = await createWorld(pglite, { loginRateLimit: 10 });
  });
  afterAll(async () => world?.close());

  it('sends a strict CSP and the usual security headers', async () => {
    const r = await anonymous(world.app).request('GET', '/api/v1/health');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-powered-by']).toBeUndefined();
  });

  it('publishes an OpenAPI document listing every route with its body schema', async () => {
    const doc = (await anonymous(world.app).request('GET', '/api/v1/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    const post = doc.paths['/api/v1/organisations/{orgId}/incidents'].post;
    expect(post.requestBody.content['application/json'].schema.properties.type.enum).toContain('rancongiciel');
    expect(post['x-rempart-access']).toBe('incident.write');
  });

  it('answers broken, oversized and mistyped bodies with a clear 4xx', async () => {
    const admin = await signIn(world, world.users.admin);
    const url = `/api/v1/organisations/${world.orgA}/contacts`;
    const truncated = await admin.request('POST', url, '{"category": "assureur", "name": ');
    expect(truncated.statusCode).toBe(400);
    expect(truncated.json().message).toMatch(/Requête invalide/);
    const huge = await admin.request('POST', url, JSON.stringify({ category: 'assureur', name: 'x', notes: 'é'.repeat(1_100_000) }));
    expect(huge.statusCode).toBe(413);
    expect(huge.json().message).toContain('taille maximale');
    const form = await world.app.inject({
      method: 'POST', url, payload: 'category=assureur&name=x',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.statusCode).toBe(415);
    const tooLong = await admin.request('POST', url, { category: 'assureur', name: 'x'.repeat(201) });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().details[0].path).toBe('name');
    const injection = await admin.request('GET', `/api/v1/organisations/${world.orgA}/incidents/1' OR '1'='1`);
    expect(injection.statusCode).toBe(404);
    const traversal = await anonymous(world.app).request('GET', '/api/v1/../../etc/passwd');
    // Either a JSON 404 or the web app's page (when built): never a file from outside the app.
    expect([200, 404]).toContain(traversal.statusCode);
    expect(traversal.body).not.toContain('root:');
    const staticTraversal = await anonymous(world.app).request('GET', '/assets/..%2f..%2f..%2fpackage.json');
    expect(staticTraversal.body).not.toContain('"workspaces"');
    const badQuery = await admin.request('GET', `/api/v1/organisations/${world.orgA}/audit?limit=abc&from=hier`);
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json().details.map((d: { path: string }) => d.path).sort()).toEqual(['query.from', 'query.limit']);
  });

  it('words field errors in French by default and in English when the client asks for it', async () => {
    const admin = await signIn(world, world.users.admin);
    const url = `/api/v1/organisations/${world.orgA}/contacts`;
    const send = (language?: string) => world.app.inject({
      method: 'POST', url, payload: { category: 'assureur', name: 'x'.repeat(201) },
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, ...(language && { 'accept-language': language }) },
    });
    const french = (await send()).json();
    const english = (await send('en')).json();
    expect(french.details[0]).toMatchObject({ path: 'name' });
    expect(english.details[0]).toMatchObject({ path: 'name' });
    expect(french.details[0].message).toMatch(/Trop grand/);
    expect(english.details[0].message).toMatch(/Too big/);
    expect((await send('fr-FR,en;q=0.8')).json().details[0].message).toBe(french.details[0].message);
    // A message written into the schema comes in the English version declared beside it.
    const phone = (language?: string) => world.app.inject({
      method: 'POST', url, payload: { category: 'assureur', name: 'Assureur', phone: 'appelez-moi' },
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, ...(language && { 'accept-language': language }) },
    });
    expect((await phone()).json().details).toEqual([{ path: 'phone', message: 'Numéro de téléphone invalide.' }]);
    expect((await phone('en-GB')).json().details).toEqual([{ path: 'phone', message: 'Invalid phone number.' }]);
  });

  it('treats an unknown or malformed organisation id as not found, never as an error', async () => {
    const admin = await signIn(world, world.users.admin);
    for (const id of ['not-a-uuid', '00000000-0000-4000-8000-000000000000', "'; DROP TABLE users; --"]) {
      const r = await admin.request('GET', `/api/v1/organisations/${encodeURIComponent(id)}/incidents`);
      expect(r.statusCode).toBe(404);
    }
  });

  it('rate-limits password guessing from one address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const r = await anonymous(world.app).request('POST', '/api/v1/auth/login', { email: `inconnu${i}@a.test`, password: 'devine' });
      statuses.push(r.statusCode);
    }
    // Earlier sign-ins in this suite count too: at most 10 attempts a minute, then 429 only.
    const firstLimited = statuses.indexOf(429);
    expect(firstLimited).toBeGreaterThan(0);
    expect(firstLimited).toBeLessThanOrEqual(10);
    expect(statuses.slice(0, firstLimited).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(firstLimited).every((s) => s === 429)).toBe(true);
  });
});
