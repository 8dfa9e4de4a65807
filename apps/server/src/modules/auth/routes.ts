import { z } from 'zod';
import { defineRoute, type RouteDef } from '../../platform/http.ts';
import { errors } from '../../platform/errors.ts';
import { listAccessibleOrganisations, resolveAccess } from '../organisations/access.ts';
import { endSession } from './sessions.ts';
import { passwordSchema } from './passwords.ts';
import { acceptInvitation, confirmEnrolment, describeInvitation, login, mfaIsRequired, startEnrolment, verifyMfa } from './service.ts';
import type { Services } from '../../platform/services.ts';
import type { SessionInfo } from './sessions.ts';
import { say } from '../../platform/say.ts';

const codeSchema = z.object({ code: z.string().trim().min(6, say('Saisissez le code à 6 chiffres.', 'Enter the 6-digit code.')).max(20) });

export async function sessionView(services: Services, session: SessionInfo) {
  const memberships = await listAccessibleOrganisations(services.db, session.userId);
  const enrolled = await services.db.selectFrom('users').select('mfa_enrolled_at').where('id', '=', session.userId).executeTakeFirstOrThrow();
  return {
    user: { id: session.userId, email: session.userEmail, name: session.userName, locale: session.locale },
    memberships,
    currentOrganisationId: memberships.some((m) => m.organisationId === session.organisationId)
      ? session.organisationId
      : memberships[0]?.organisationId ?? null,
    csrfToken: session.csrfToken,
    mfa: { enrolled: !!enrolled.mfa_enrolled_at, required: await mfaIsRequired(services, session.userId), verified: session.mfaVerified },
  };
}

export const authRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET', path: '/api/v1/session', access: 'pending', tag: 'auth', summary: 'Session en cours',
    handler: async (ctx) => sessionView(ctx.services, ctx.requireSession()),
  }),
  defineRoute({
    method: 'POST', path: '/api/v1/auth/login', access: 'public', tag: 'auth', summary: 'Connexion par adresse et mot de passe',
    body: z.object({ email: z.string().trim().email(say('Adresse électronique invalide.', 'Invalid email address.')).max(320), password: z.string().min(1, say('Mot de passe requis.', 'Password required.')).max(256) }),
    handler: async (ctx) => login(ctx.services, ctx.request, ctx.reply, ctx.body.email, ctx.body.password),
  }),
  defineRoute({
    method: 'POST', path: '/api/v1/auth/mfa/verify', access: 'pending', tag: 'auth', summary: 'Vérifier un code TOTP ou un code de secours',
    body: codeSchema,
    handler: async (ctx) => verifyMfa(ctx.services, ctx.request, ctx.reply, ctx.requireSession(), ctx.body.code),
  }),
  defineRoute({
    method: 'POST', path: '/api/v1/auth/mfa/enrol/start', access: 'pending', tag: 'auth', summary: "Commencer l'enrôlement TOTP",
    handler: async (ctx) => startEnrolment(ctx.services, ctx.requireSession()),
  }),
  defineRoute({
    method: 'POST', path: '/api/v1/auth/mfa/enrol/confirm', access: 'pending', tag: 'auth', summary: "Confirmer l'enrôlement TOTP",
    body: codeSchema,
    handler: async (ctx) => confirmEnrolment(ctx.services, ctx.request, ctx.reply, ctx.requireSession(), ctx.body.code),
  }),
  defineRoute({
    method: 'POST', path: '/api/v1/auth/logout', access: 'pending', tag: 'auth', summary: 'Déconnexion',
    handler: async (ctx) => {
      await endSession(ctx.services, ctx.reply, ctx.requireSession().idHash);
      return undefined;
    },
  }),
  defineRoute({
    method: 'GET', path: '/api/v1/auth/invitations/:token', access: 'public', tag: 'auth', summary: 'Lire une invitation',
    handler: async (ctx) => describeInvitation(ctx.services, ctx.params.token ?? ''),
  }),
  defineRoute({
    method: 'POST', path: '/api/v1/auth/invitations/:token/accept', access: 'public', tag: 'auth', summary: 'Accepter une invitation et choisir son mot de passe',
    body: z.object({ name: z.string().trim().min(2, say('Indiquez vos prénom et nom.', 'Enter your first and last name.')).max(200), password: passwordSchema }),
    handler: async (ctx) => {
      await acceptInvitation(ctx.services, ctx.ip, ctx.params.token ?? '', ctx.body.name, ctx.body.password);
      return { status: 'ok' };
    },
  }),
  defineRoute({
    method: 'POST', path: '/api/v1/session/organisation', access: 'session', tag: 'auth', summary: "Changer d'organisation",
    body: z.object({ organisationId: z.string().uuid(say('Identifiant invalide.', 'Invalid identifier.')) }),
    handler: async (ctx) => {
      const session = ctx.requireSession();
      const access = await resolveAccess(ctx.services.db, session.userId, ctx.body.organisationId);
      if (!access) throw errors.notFound('Organisation');
      await ctx.services.db.updateTable('sessions').set({ organisation_id: access.id }).where('id_hash', '=', session.idHash).execute();
      return sessionView(ctx.services, { ...session, organisationId: access.id });
    },
  }),
];
