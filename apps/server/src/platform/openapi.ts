// The OpenAPI document is generated from the same route table and zod schemas that validate requests.
import { z } from 'zod';
import type { RouteDef } from './http.ts';

const errorSchema = {
  type: 'object',
  required: ['code', 'message', 'details'],
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
  },
};

export function openApiDocument(routes: RouteDef[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const openPath = route.path.replace(/:(\w+)/g, '{$1}');
    const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      parameters: params,
      security: route.access === 'public' ? [] : [{ session: [] }],
      'x-rempart-access': typeof route.access === 'object' ? route.access.permission : route.access,
      responses: {
        '200': { description: 'Succès', content: { [route.produces ?? 'application/json']: {} } },
        '400': { description: 'Données invalides', content: { 'application/json': { schema: errorSchema } } },
        '401': { description: 'Non connecté', content: { 'application/json': { schema: errorSchema } } },
        '403': { description: 'Interdit', content: { 'application/json': { schema: errorSchema } } },
        '404': { description: 'Introuvable', content: { 'application/json': { schema: errorSchema } } },
      },
    };
    if (route.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }) } } };
    }
    if (route.query) {
      const schema = z.toJSONSchema(route.query, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
      for (const [name, s] of Object.entries(schema.properties ?? {})) (operation.parameters as unknown[]).push({ name, in: 'query', required: false, schema: s });
    }
    (paths[openPath] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Rempart API', version: '1', description: 'API de Rempart : incidents, notification CNIL, registre, contacts, audit.' },
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'rempart_sid', description: "Cookie de session ; en-tête X-CSRF-Token pour les requêtes qui modifient." } },
    },
    paths,
  };
}
