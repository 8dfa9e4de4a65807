// Route table → Fastify. Every route is declared once with its access rule and schemas; the guard,
// validation, CSRF check, OpenAPI document and the route-walk test all read the same table.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import { z, type ZodType } from 'zod';
import type { Schema } from '@rempart/db';
import { appendAudit, type AuditEntryInput } from './audit.ts';
import { AppError, errors, type ErrorDetail } from './errors.ts';
import { inEnglish } from './say.ts';
import { can, type Permission, type Role } from './permissions.ts';
import type { Services } from './services.ts';
import { loadSession, type SessionInfo } from '../modules/auth/sessions.ts';
import { resolveAccess } from '../modules/organisations/access.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** public: anyone; pending: a signed-in session even before MFA; session: signed in with MFA done. */
export type Access = 'public' | 'pending' | 'session' | { permission: Permission };

export interface OrgAccess {
  id: string;
  role: Role;
  readOnly: boolean;
}

export interface RequestContext<B = unknown, Q = unknown> {
  services: Services;
  request: FastifyRequest;
  reply: FastifyReply;
  ip: string;
  params: Record<string, string>;
  body: B;
  query: Q;
  session: SessionInfo | null;
  org: OrgAccess | null;
  /** Writes an audit entry in the given transaction with this request's actor, organisation and IP. */
  audit(trx: Transaction<Schema>, entry: Omit<AuditEntryInput, 'actorUserId' | 'actorLabel' | 'organisationId' | 'ip'> & { organisationId?: string | null }): Promise<number>;
  /** Shorthand: audits a read of personal data in its own transaction. */
  auditRead(objectType: string, objectId: string | null, details?: Record<string, unknown>): Promise<void>;
  requireSession(): SessionInfo;
  requireOrg(): OrgAccess;
}

export interface RouteDef<B extends ZodType = ZodType, Q extends ZodType = ZodType> {
  method: Method;
  path: string;
  access: Access;
  summary: string;
  tag: string;
  body?: B;
  query?: Q;
  /** Content type of a successful answer when it is not JSON. */
  produces?: 'application/pdf' | 'text/csv' | 'application/json-download';
  handler(ctx: RequestContext<z.infer<B>, z.infer<Q>>): Promise<unknown>;
}

export const defineRoute = <B extends ZodType = ZodType, Q extends ZodType = ZodType>(route: RouteDef<B, Q>): RouteDef =>
  route as unknown as RouteDef;

export function zodDetails(error: z.ZodError, prefix?: string): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

// French is the default (z.config in app.ts). A client that asks for English (the web app sends its
// interface language) gets zod's generic messages in English, and the schemas' own messages in the
// English version declared beside them with say().
const englishErrors = z.locales.en().localeError;
const wantsEnglish = (request: FastifyRequest) => /^en\b/i.test(String(request.headers['accept-language'] ?? ''));
function validate<T extends ZodType>(schema: T, input: unknown, request: FastifyRequest, prefix?: string): z.infer<T> {
  const english = wantsEnglish(request);
  const parsed = schema.safeParse(input, english ? { error: englishErrors } : undefined);
  if (parsed.success) return parsed.data;
  const details = zodDetails(parsed.error, prefix);
  throw errors.validation(english ? details.map((d) => ({ ...d, message: inEnglish(d.message) })) : details);
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function registerRoutes(app: FastifyInstance, routes: RouteDef[], services: Services): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path,
      config: route.path === '/api/v1/auth/login' ? { rateLimit: { max: services.config.loginRateLimit, timeWindow: '1 minute' } } : undefined,
      handler: async (request, reply) => {
        const params = (request.params ?? {}) as Record<string, string>;
        const ip = request.ip;
        const session = route.access === 'public' ? await loadSession(services, request, { optional: true }) : await loadSession(services, request, { optional: false });

        if (STATE_CHANGING.has(route.method)) {
          const type = request.headers['content-type'] ?? '';
          if (route.body && !type.startsWith('application/json')) {
            throw errors.badRequest('unsupported_content_type', 'Le corps de la requête doit être du JSON (Content-Type: application/json).');
          }
          // Public routes (sign-in, invitations) are protected by the JSON-only rule: a cross-site form
          // cannot send application/json without a CORS preflight, which this server never grants.
          if (session && route.access !== 'public' && request.headers['x-csrf-token'] !== session.csrfToken) {
            throw new AppError('csrf_failed', 403, 'Jeton anti-CSRF absent ou invalide : rechargez la page.');
          }
        }
        if (route.access !== 'public' && route.access !== 'pending' && session && !session.mfaVerified) {
          throw errors.mfaRequired();
        }

        let org: OrgAccess | null = null;
        if (typeof route.access === 'object') {
          const orgId = params.orgId;
          if (!orgId || !session) throw errors.notFound('Organisation');
          const access = await resolveAccess(services.db, session.userId, orgId);
          // Another organisation's objects do not exist for this user: 404, never a hint.
          if (!access) throw errors.notFound('Organisation');
          const { permission } = route.access;
          if (!can(access.role, permission, { readOnly: access.readOnly })) {
            await services.db.transaction().execute((trx) =>
              appendAudit(trx, services.keys, {
                actorUserId: session.userId, actorLabel: session.userEmail, organisationId: orgId, ip,
                action: `${route.method} ${route.path}`, objectType: 'route', outcome: 'denied',
                details: { permission },
              }),
            );
            throw errors.forbidden();
          }
          org = access;
        }

        let body: unknown = undefined;
        if (route.body) {
          body = validate(route.body, request.body ?? undefined, request);
        }
        let query: unknown = undefined;
        if (route.query) {
          query = validate(route.query, request.query ?? {}, request, 'query');
        }

        const ctx: RequestContext = {
          services, request, reply, ip, params, body, query, session, org,
          audit: (trx, entry) =>
            appendAudit(trx, services.keys, {
              ...entry,
              actorUserId: session?.userId ?? null,
              actorLabel: session?.userEmail ?? 'anonyme',
              organisationId: entry.organisationId !== undefined ? entry.organisationId : org?.id ?? null,
              ip,
            }),
          auditRead: async (objectType, objectId, details) => {
            await services.db.transaction().execute((trx) =>
              ctx.audit(trx, { action: 'read', objectType, objectId, outcome: 'success', details }),
            );
          },
          requireSession: () => {
            if (!session) throw errors.unauthenticated();
            return session;
          },
          requireOrg: () => {
            if (!org) throw errors.notFound('Organisation');
            return org;
          },
        };
        const result = await route.handler(ctx as RequestContext<never, never>);
        if (reply.sent) return reply;
        if (result === undefined) return reply.code(204).send();
        return reply.send(result);
      },
    });
  }
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof AppError) {
      return reply.code(error.status).send({ code: error.code, message: error.message, details: error.details });
    }
    const fastifyError = error as { statusCode?: number; code?: string; message: string };
    if (fastifyError.code === '23505') {
      return reply.code(409).send({ code: 'conflict', message: 'Cette valeur existe déjà (doublon refusé).', details: [] });
    }
    if (fastifyError.statusCode === 429) {
      return reply.code(429).send({ code: 'rate_limited', message: 'Trop de tentatives : patientez une minute avant de réessayer.', details: [] });
    }
    if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      // Malformed JSON, body too large, unsupported media type: the client's mistake, said plainly.
      const message =
        fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'Le corps de la requête dépasse la taille maximale autorisée (1 Mo).'
          : fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'Type de contenu non pris en charge : envoyez du JSON.'
            : `Requête invalide : ${fastifyError.message}`;
      return reply.code(fastifyError.statusCode).send({ code: 'bad_request', message, details: [] });
    }
    const correlationId = request.id;
    request.log.error({ err: error, correlationId }, 'unexpected error');
    return reply.code(500).send({
      code: 'internal_error',
      message: `Erreur inattendue. Référence à transmettre au support : ${correlationId}`,
      details: [],
    });
  });
}
