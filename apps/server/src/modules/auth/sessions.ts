// Server-side sessions: the cookie holds a random token, the database only its keyed hash.
// Idle and absolute timeouts are checked on every request.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../platform/errors.ts';
import { randomToken } from '../../platform/keys.ts';
import type { Services } from '../../platform/services.ts';

export const SESSION_COOKIE = 'rempart_sid';

export interface SessionInfo {
  idHash: string;
  userId: string;
  userEmail: string;
  userName: string;
  locale: string;
  csrfToken: string;
  mfaVerified: boolean;
  organisationId: string | null;
}

export async function loadSession(
  services: Services,
  request: FastifyRequest,
  options: { optional: boolean },
): Promise<SessionInfo | null> {
  const token = request.cookies?.[SESSION_COOKIE];
  if (!token) {
    if (options.optional) return null;
    throw errors.unauthenticated();
  }
  const idHash = services.keys.tokenHash(token);
  const row = await services.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id_hash', 'sessions.user_id', 'sessions.csrf_token', 'sessions.mfa_verified', 'sessions.organisation_id',
      'sessions.created_at', 'sessions.last_seen_at', 'users.email', 'users.name', 'users.locale', 'users.disabled',
    ])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst();
  const now = services.now().getTime();
  const expired =
    !row ||
    row.disabled ||
    now - row.last_seen_at.getTime() > services.config.sessionIdleMs ||
    now - row.created_at.getTime() > services.config.sessionAbsoluteMs;
  if (!row || expired) {
    if (row) await services.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    if (options.optional) return null;
    throw errors.unauthenticated();
  }
  // Touch at most once a minute: sessions stay alive without a write per request.
  if (now - row.last_seen_at.getTime() > 60_000) {
    await services.db.updateTable('sessions').set({ last_seen_at: new Date(now) }).where('id_hash', '=', idHash).execute();
  }
  return {
    idHash,
    userId: row.user_id,
    userEmail: row.email,
    userName: row.name,
    locale: row.locale,
    csrfToken: row.csrf_token,
    mfaVerified: row.mfa_verified,
    organisationId: row.organisation_id,
  };
}

/** Creates a fresh session (a new token at each privilege change) and sets the cookie. */
export async function startSession(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  input: { userId: string; mfaVerified: boolean; organisationId: string | null; previousIdHash?: string },
): Promise<{ csrfToken: string }> {
  const token = randomToken();
  const csrfToken = randomToken();
  await services.db.transaction().execute(async (trx) => {
    if (input.previousIdHash) await trx.deleteFrom('sessions').where('id_hash', '=', input.previousIdHash).execute();
    await trx
      .insertInto('sessions')
      .values({
        id_hash: services.keys.tokenHash(token),
        user_id: input.userId,
        csrf_token: csrfToken,
        organisation_id: input.organisationId,
        mfa_verified: input.mfaVerified,
        ip: request.ip,
        user_agent: String(request.headers['user-agent'] ?? '').slice(0, 300),
        created_at: services.now(),
        last_seen_at: services.now(),
      })
      .execute();
  });
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: services.config.secureCookies,
  });
  return { csrfToken };
}

export async function endSession(services: Services, reply: FastifyReply, idHash: string): Promise<void> {
  await services.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
