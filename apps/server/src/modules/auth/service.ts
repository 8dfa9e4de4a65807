// Sign-in, MFA and invitations. Password sign-in is one way in; an OIDC provider (ProConnect) can be
// added as another that ends in the same startSession() without touching the modules.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { json } from '@rempart/db';
import { appendAudit } from '../../platform/audit.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { randomToken } from '../../platform/keys.ts';
import { PRIVILEGED_ROLES, type Role } from '../../platform/permissions.ts';
import type { Services } from '../../platform/services.ts';
import { listAccessibleOrganisations } from '../organisations/access.ts';
import { checkPassword, hashPassword } from './passwords.ts';
import { acceptTotp, hashRecoveryCode, newRecoveryCodes, newTotpSecret, qrDataUrl, totpFor } from './mfa.ts';
import { startSession, type SessionInfo } from './sessions.ts';

const LOCK_AFTER = 5;
const INVITATION_DAYS = 7;

export type LoginStatus = 'ok' | 'mfa_required' | 'mfa_enrolment_required';

async function audit(services: Services, ip: string, entry: { userId: string | null; label: string; action: string; outcome: 'success' | 'failure' | 'denied'; orgId?: string | null; objectType?: string; objectId?: string | null; details?: Record<string, unknown> }) {
  await services.db.transaction().execute((trx) =>
    appendAudit(trx, services.keys, {
      actorUserId: entry.userId, actorLabel: entry.label, organisationId: entry.orgId ?? null, ip,
      action: entry.action, objectType: entry.objectType ?? 'user', objectId: entry.objectId ?? entry.userId, outcome: entry.outcome,
      details: entry.details,
    }),
  );
}

export async function mfaIsRequired(services: Services, userId: string): Promise<boolean> {
  const orgs = await listAccessibleOrganisations(services.db, userId);
  return orgs.some((o) => PRIVILEGED_ROLES.includes(o.role));
}

function lockMinutes(failures: number): number {
  // 1, 2, 4, 8 … minutes after the fifth failure, capped at an hour.
  return Math.min(60, 2 ** Math.max(0, failures - LOCK_AFTER));
}

async function registerFailure(services: Services, userId: string, failures: number): Promise<void> {
  const count = failures + 1;
  const lockedUntil = count >= LOCK_AFTER ? new Date(services.now().getTime() + lockMinutes(count) * 60_000) : null;
  await services.db.updateTable('users').set({ failed_logins: count, locked_until: lockedUntil }).where('id', '=', userId).execute();
}

export async function login(
  services: Services, request: FastifyRequest, reply: FastifyReply, email: string, password: string,
): Promise<{ status: LoginStatus; csrfToken: string }> {
  const normalised = email.trim().toLowerCase();
  const user = await services.db.selectFrom('users').selectAll().where('email', '=', normalised).executeTakeFirst();
  const now = services.now();
  const invalid = new AppError('invalid_credentials', 401, 'Adresse électronique ou mot de passe incorrect.');
  if (user?.locked_until && user.locked_until > now) {
    await audit(services, request.ip, { userId: user.id, label: normalised, action: 'login', outcome: 'denied', details: { reason: 'locked' } });
    const minutes = Math.ceil((user.locked_until.getTime() - now.getTime()) / 60_000);
    throw new AppError('account_locked', 429, `Trop d'échecs : compte verrouillé encore ${minutes} minute(s).`);
  }
  const ok = await checkPassword(user?.password_hash ?? null, password);
  if (!user || !ok || user.disabled) {
    if (user) await registerFailure(services, user.id, user.failed_logins);
    await audit(services, request.ip, { userId: user?.id ?? null, label: normalised.slice(0, 200), action: 'login', outcome: 'failure' });
    throw invalid;
  }
  await services.db.updateTable('users').set({ failed_logins: 0, locked_until: null, last_login_at: now }).where('id', '=', user.id).execute();
  const orgs = await listAccessibleOrganisations(services.db, user.id);
  const status: LoginStatus = user.mfa_enrolled_at
    ? 'mfa_required'
    : orgs.some((o) => PRIVILEGED_ROLES.includes(o.role))
      ? 'mfa_enrolment_required'
      : 'ok';
  const previous = request.cookies?.rempart_sid ? services.keys.tokenHash(request.cookies.rempart_sid) : undefined;
  const { csrfToken } = await startSession(services, request, reply, {
    userId: user.id, mfaVerified: status === 'ok', organisationId: orgs[0]?.organisationId ?? null, previousIdHash: previous,
  });
  await audit(services, request.ip, { userId: user.id, label: user.email, action: 'login', outcome: 'success', details: { status } });
  return { status, csrfToken };
}

export async function verifyMfa(
  services: Services, request: FastifyRequest, reply: FastifyReply, session: SessionInfo, code: string,
): Promise<{ status: 'ok'; csrfToken: string }> {
  const user = await services.db.selectFrom('users').selectAll().where('id', '=', session.userId).executeTakeFirstOrThrow();
  if (!user.totp_secret_enc) throw errors.badRequest('mfa_not_enrolled', "La double authentification n'est pas encore activée.");
  if (user.locked_until && user.locked_until > services.now()) {
    throw new AppError('account_locked', 429, "Trop d'échecs : compte verrouillé, réessayez plus tard.");
  }
  const secret = services.keys.decrypt(user.totp_secret_enc, `totp:${user.id}`);
  let method = 'totp';
  const step = acceptTotp(secret, user.email, code, services.now(), user.totp_last_step);
  let ok = step !== null;
  if (ok) await services.db.updateTable('users').set({ totp_last_step: step }).where('id', '=', user.id).execute();
  if (!ok) {
    const hashed = hashRecoveryCode(code);
    if (user.recovery_codes.includes(hashed)) {
      ok = true;
      method = 'recovery_code';
      await services.db.updateTable('users').set({ recovery_codes: json(user.recovery_codes.filter((h) => h !== hashed)) }).where('id', '=', user.id).execute();
    }
  }
  if (!ok) {
    await registerFailure(services, user.id, user.failed_logins);
    await audit(services, request.ip, { userId: user.id, label: user.email, action: 'mfa.verify', outcome: 'failure' });
    throw errors.badRequest('invalid_code', 'Code incorrect ou expiré.', [{ path: 'code', message: 'Code incorrect ou expiré.' }]);
  }
  await services.db.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
  const { csrfToken } = await startSession(services, request, reply, {
    userId: user.id, mfaVerified: true, organisationId: session.organisationId, previousIdHash: session.idHash,
  });
  await audit(services, request.ip, { userId: user.id, label: user.email, action: 'mfa.verify', outcome: 'success', details: { method } });
  return { status: 'ok', csrfToken };
}

export async function startEnrolment(services: Services, session: SessionInfo) {
  const user = await services.db.selectFrom('users').select(['id', 'email', 'mfa_enrolled_at']).where('id', '=', session.userId).executeTakeFirstOrThrow();
  if (user.mfa_enrolled_at) throw errors.conflict('mfa_already_enrolled', 'La double authentification est déjà activée pour ce compte.');
  const secret = newTotpSecret();
  await services.db.updateTable('users').set({ totp_pending_enc: services.keys.encrypt(secret, `totp-pending:${user.id}`) }).where('id', '=', user.id).execute();
  const otpauthUrl = totpFor(secret, user.email).toString();
  return { secret, otpauthUrl, qrDataUrl: await qrDataUrl(otpauthUrl) };
}

export async function confirmEnrolment(
  services: Services, request: FastifyRequest, reply: FastifyReply, session: SessionInfo, code: string,
): Promise<{ recoveryCodes: string[]; csrfToken: string }> {
  const user = await services.db.selectFrom('users').selectAll().where('id', '=', session.userId).executeTakeFirstOrThrow();
  if (user.mfa_enrolled_at) throw errors.conflict('mfa_already_enrolled', 'La double authentification est déjà activée pour ce compte.');
  if (!user.totp_pending_enc) throw errors.badRequest('mfa_enrolment_not_started', "Commencez par afficher le QR code d'enrôlement.");
  const secret = services.keys.decrypt(user.totp_pending_enc, `totp-pending:${user.id}`);
  const step = acceptTotp(secret, user.email, code, services.now(), null);
  if (step === null) {
    throw errors.badRequest('invalid_code', 'Code incorrect : vérifiez l’heure de votre téléphone et saisissez le code affiché.', [{ path: 'code', message: 'Code incorrect.' }]);
  }
  const { codes, hashes } = newRecoveryCodes();
  await services.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({
      totp_secret_enc: services.keys.encrypt(secret, `totp:${user.id}`),
      totp_pending_enc: null,
      mfa_enrolled_at: services.now(),
      // The code that confirmed enrolment cannot open the next sign-in.
      totp_last_step: step,
      recovery_codes: json(hashes),
    }).where('id', '=', user.id).execute();
    await appendAudit(trx, services.keys, {
      actorUserId: user.id, actorLabel: user.email, organisationId: null, ip: request.ip,
      action: 'mfa.enrol', objectType: 'user', objectId: user.id, outcome: 'success',
    });
  });
  const { csrfToken } = await startSession(services, request, reply, {
    userId: user.id, mfaVerified: true, organisationId: session.organisationId, previousIdHash: session.idHash,
  });
  return { recoveryCodes: codes, csrfToken };
}

export interface InvitationCreated {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  inviteUrl?: string;
}

/** Creates a one-time link; mailed when SMTP is configured, otherwise returned to the caller. */
export async function createInvitation(
  services: Services,
  input: { organisationId: string; email: string; role: Role; createdBy: string | null; ip: string | null; actorLabel: string },
): Promise<InvitationCreated> {
  const token = randomToken();
  const expiresAt = new Date(services.now().getTime() + INVITATION_DAYS * 86_400_000);
  const email = input.email.trim().toLowerCase();
  const org = await services.db.selectFrom('organisations').select('name').where('id', '=', input.organisationId).executeTakeFirstOrThrow();
  const row = await services.db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('invitations')
      .values({ organisation_id: input.organisationId, email, role: input.role, token_hash: services.keys.tokenHash(token), expires_at: expiresAt, created_by: input.createdBy })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(trx, services.keys, {
      actorUserId: input.createdBy, actorLabel: input.actorLabel, organisationId: input.organisationId, ip: input.ip,
      action: 'invitation.create', objectType: 'invitation', objectId: created.id, outcome: 'success', details: { email, role: input.role },
    });
    return created;
  });
  const inviteUrl = `${services.config.publicUrl}/invitation/${token}`;
  const result: InvitationCreated = { id: row.id, email, role: input.role, expiresAt: expiresAt.toISOString() };
  if (services.mailer) {
    await services.mailer.send({
      to: email,
      subject: `Invitation à rejoindre ${org.name} sur Rempart`,
      text:
        `Bonjour,\n\nVous êtes invité(e) à rejoindre l'espace de ${org.name} sur Rempart avec le rôle « ${input.role} ».\n\n` +
        `Pour choisir votre mot de passe, ouvrez ce lien (valable ${INVITATION_DAYS} jours, une seule fois) :\n${inviteUrl}\n\n` +
        `Si vous n'attendiez pas cette invitation, ignorez ce message.\n`,
    });
  } else {
    result.inviteUrl = inviteUrl;
  }
  return result;
}

async function findInvitation(services: Services, token: string) {
  const row = await services.db
    .selectFrom('invitations')
    .innerJoin('organisations', 'organisations.id', 'invitations.organisation_id')
    .select(['invitations.id', 'invitations.email', 'invitations.role', 'invitations.organisation_id', 'invitations.expires_at', 'invitations.accepted_at', 'organisations.name as organisation_name'])
    .where('invitations.token_hash', '=', services.keys.tokenHash(token))
    .executeTakeFirst();
  if (!row || row.accepted_at || row.expires_at < services.now()) {
    throw new AppError('invitation_invalid', 404, "Ce lien d'invitation est invalide, a déjà servi ou a expiré. Demandez-en un nouveau à votre administrateur.");
  }
  return row;
}

export async function describeInvitation(services: Services, token: string) {
  const row = await findInvitation(services, token);
  return { email: row.email, organisationName: row.organisation_name, role: row.role };
}

export async function acceptInvitation(services: Services, ip: string, token: string, name: string, password: string): Promise<void> {
  const invitation = await findInvitation(services, token);
  const localPart = invitation.email.split('@')[0]!.toLowerCase();
  if (localPart.length >= 4 && password.toLowerCase().includes(localPart)) {
    throw errors.validation([{ path: 'password', message: "Le mot de passe ne doit pas contenir votre identifiant." }]);
  }
  const passwordHash = await hashPassword(password);
  await services.db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('users').select(['id', 'password_hash']).where('email', '=', invitation.email).executeTakeFirst();
    let userId: string;
    if (existing) {
      if (existing.password_hash) {
        throw errors.conflict('account_exists', 'Un compte existe déjà pour cette adresse : connectez-vous, votre administrateur pourra vous ajouter.');
      }
      await trx.updateTable('users').set({ password_hash: passwordHash, name }).where('id', '=', existing.id).execute();
      userId = existing.id;
    } else {
      userId = (await trx.insertInto('users').values({ email: invitation.email, name, password_hash: passwordHash }).returning('id').executeTakeFirstOrThrow()).id;
    }
    await trx
      .insertInto('memberships')
      .values({ user_id: userId, organisation_id: invitation.organisation_id, role: invitation.role })
      .onConflict((oc) => oc.columns(['user_id', 'organisation_id']).doUpdateSet({ role: invitation.role }))
      .execute();
    await trx.updateTable('invitations').set({ accepted_at: services.now() }).where('id', '=', invitation.id).execute();
    await appendAudit(trx, services.keys, {
      actorUserId: userId, actorLabel: invitation.email, organisationId: invitation.organisation_id, ip,
      action: 'invitation.accept', objectType: 'invitation', objectId: invitation.id, outcome: 'success', details: { role: invitation.role },
    });
  });
}
