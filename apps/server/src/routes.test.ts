// Walks every route of the API: anonymous → 401, another organisation → 403/404, a role without the
// right → 403, a malformed body → 400 with field paths. A route added outside the table fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '@rempart/db';
import { z, type ZodType } from 'zod';
import { allRoutes } from './routes.ts';
import { can, ROLES, type Permission } from './platform/permissions.ts';
import { anonymous, createWorld, signIn, type Client, type TestWorld } from './testing.ts';

// A body of the right shape whose every field has the wrong type, so errors name field paths.
function malformed(schema: ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { type?: string | string[] }> };
  const body: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(json.properties ?? {})) {
    const types = ([] as string[]).concat(prop.type ?? 'object');
    body[name] = types.includes('string') ? { not: 'a string' } : 'pas le bon type';
  }
  if (Object.keys(body).length === 0) body.unexpected = true;
  return body;
}

const UNLISTED_ALLOWED = new Set(['GET /api/v1/openapi.json', 'GET /api/v1/health', 'HEAD /api/v1/openapi.json', 'HEAD /api/v1/health']);

for (const backend of testBackends()) {
  describe.skipIf(backend.skipReason)(`route walk on ${backend.name}`, () => {
    let world: TestWorld;
    let ids: Record<string, string>;
    const clients = new Map<string, Client>();

    beforeAll(async () => {
      world = await createWorld(backend);
      const admin = await signIn(world, world.users.admin);
      clients.set('admin', admin);
      const incident = await admin.request('POST', `/api/v1/organisations/${world.orgA}/incidents`, {
        type: 'exfiltration', title: 'Incident de test', awareAt: new Date().toISOString(),
        personalData: { involved: true, categories: ['identité'], sensitive: false, minors: false },
      });
      expect(incident.statusCode).toBe(201);
      const incidentId = incident.json().id;
      const tasks = (await admin.request('GET', `/api/v1/organisations/${world.orgA}/incidents/${incidentId}/tasks`)).json();
      const contact = (await admin.request('POST', `/api/v1/organisations/${world.orgA}/contacts`, { category: 'assureur', name: 'Assureur test' })).json();
      ids = { orgId: world.orgA, incidentId, taskId: tasks[0].id, contactId: contact.id, userId: world.users.lecteur.id, token: 'jeton-inexistant' };
      for (const role of ROLES) clients.set(role, role === 'admin' ? admin : await signIn(world, world.users[role]));
      clients.set('outsider', await signIn(world, world.outsider));
    });
    afterAll(async () => world?.close());

    const fill = (path: string) => path.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? `unknown-${name}`);

    it('lists every API route the server answers', async () => {
      const registered: string[] = [];
      for (const route of allRoutes()) registered.push(`${route.method} ${route.path}`);
      const known = new Set(registered);
      const answered = (world.app as unknown as { routeList: string[] }).routeList;
      expect(answered.length).toBeGreaterThan(registered.length - 1);
      // Fastify answers HEAD for every GET on its own; those are the same routes.
      const unlisted = answered.map((r) => r.replace(/^HEAD /, 'GET ')).filter((r) => !known.has(r) && !UNLISTED_ALLOWED.has(r));
      expect(unlisted).toEqual([]);
      expect(new Set(registered).size).toBe(registered.length);
    });

    for (const route of allRoutes()) {
      const label = `${route.method} ${route.path}`;
      it(`${label}: anonymous`, async () => {
        const r = await anonymous(world.app).request(route.method, fill(route.path), route.body ? {} : undefined);
        if (route.access === 'public') expect(r.statusCode).not.toBe(401);
        else expect(r.statusCode).toBe(401);
      });

      if (typeof route.access === 'object') {
        const permission: Permission = route.access.permission;
        it(`${label}: another organisation`, async () => {
          const r = await clients.get('outsider')!.request(route.method, fill(route.path), route.body ? {} : undefined);
          expect([403, 404]).toContain(r.statusCode);
        });
        const lacking = ROLES.find((role) => !can(role, permission));
        if (lacking) {
          it(`${label}: role ${lacking} lacks ${permission}`, async () => {
            const r = await clients.get(lacking)!.request(route.method, fill(route.path), route.body ? {} : undefined);
            expect(r.statusCode).toBe(403);
            expect(r.json().code).toBe('forbidden');
          });
        }
      }

      if (route.body) {
        it(`${label}: malformed body`, async () => {
          const client = route.access === 'public' ? anonymous(world.app) : clients.get('admin')!;
          const r = await client.request(route.method, fill(route.path), malformed(route.body!));
          expect(r.statusCode).toBe(400);
          const body = r.json();
          expect(body.code).toBe('validation_failed');
          expect(body.details.length).toBeGreaterThan(0);
          expect(body.details.every((d: { path: string }) => typeof d.path === 'string')).toBe(true);
          const broken = await client.request(route.method, fill(route.path), '{"truncated": ');
          expect(broken.statusCode).toBe(400);
        });
      }
    }
  });
}
