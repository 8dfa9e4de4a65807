import { z } from 'zod';
import { defineRoute, type RouteDef } from '../../platform/http.ts';
import { errors } from '../../platform/errors.ts';
import { isUuid } from './access.ts';
import { createInvitation } from '../auth/service.ts';
import { organisationPatchSchema, roleSchema } from './schema.ts';
import { getOrganisation, updateOrganisation } from './service.ts';
import { say } from '../../platform/say.ts';

const ORG = '/api/v1/organisations/:orgId';

export const organisationRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET', path: ORG, access: { permission: 'organisation.read' }, tag: 'organisations', summary: "Fiche de l'organisation",
    handler: async (ctx) => getOrganisation(ctx.services.db, ctx.requireOrg().id),
  }),
  defineRoute({
    method: 'PATCH', path: ORG, access: { permission: 'organisation.manage' }, tag: 'organisations', summary: "Modifier la fiche de l'organisation",
    body: organisationPatchSchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      await ctx.services.db.transaction().execute(async (trx) => {
        await updateOrganisation(trx, org.id, ctx.body);
        await ctx.audit(trx, { action: 'organisation.update', objectType: 'organisation', objectId: org.id, outcome: 'success', details: { fields: Object.keys(ctx.body) } });
      });
      return getOrganisation(ctx.services.db, org.id);
    },
  }),
  defineRoute({
    method: 'GET', path: `${ORG}/users`, access: { permission: 'users.read' }, tag: 'organisations', summary: 'Utilisateurs et rôles',
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const rows = await ctx.services.db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select(['users.id', 'users.email', 'users.name', 'memberships.role', 'users.mfa_enrolled_at', 'users.last_login_at', 'users.disabled', 'users.password_hash'])
        .where('memberships.organisation_id', '=', org.id)
        .orderBy('users.name')
        .execute();
      await ctx.auditRead('users', null, { count: rows.length });
      return rows.map((r) => ({
        userId: r.id, email: r.email, name: r.name, role: r.role, mfaEnrolled: !!r.mfa_enrolled_at,
        lastLoginAt: r.last_login_at?.toISOString() ?? null, disabled: r.disabled, activated: !!r.password_hash,
      }));
    },
  }),
  defineRoute({
    method: 'POST', path: `${ORG}/invitations`, access: { permission: 'users.manage' }, tag: 'organisations', summary: 'Inviter une personne',
    body: z.object({ email: z.string().trim().email(say('Adresse électronique invalide.', 'Invalid email address.')).max(320), role: roleSchema }),
    handler: async (ctx) => {
      const session = ctx.requireSession();
      return createInvitation(ctx.services, {
        organisationId: ctx.requireOrg().id, email: ctx.body.email, role: ctx.body.role,
        createdBy: session.userId, ip: ctx.ip, actorLabel: session.userEmail,
      });
    },
  }),
  defineRoute({
    method: 'PATCH', path: `${ORG}/users/:userId`, access: { permission: 'users.manage' }, tag: 'organisations', summary: 'Changer le rôle ou désactiver un compte',
    body: z.object({ role: roleSchema.optional(), disabled: z.boolean().optional() }).refine((b) => b.role !== undefined || b.disabled !== undefined, say('Indiquez role ou disabled.', 'Give role or disabled.')),
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const session = ctx.requireSession();
      const userId = ctx.params.userId;
      if (!isUuid(userId)) throw errors.notFound('Utilisateur');
      const membership = await ctx.services.db.selectFrom('memberships').select('role').where('organisation_id', '=', org.id).where('user_id', '=', userId).executeTakeFirst();
      if (!membership) throw errors.notFound('Utilisateur');
      if (userId === session.userId && (ctx.body.disabled || (ctx.body.role && ctx.body.role !== 'admin'))) {
        throw errors.conflict('self_lockout', 'Vous ne pouvez pas retirer vos propres droits d’administration : demandez-le à un autre administrateur.');
      }
      if (ctx.body.disabled !== undefined) {
        // A person who also works for another organisation is not this administrator's to disable.
        const elsewhere = await ctx.services.db.selectFrom('memberships').select('organisation_id').where('user_id', '=', userId).where('organisation_id', '!=', org.id).executeTakeFirst();
        if (elsewhere) throw errors.conflict('multi_organisation_user', 'Cette personne appartient aussi à une autre organisation : retirez-lui plutôt son rôle ici.');
      }
      await ctx.services.db.transaction().execute(async (trx) => {
        if (ctx.body.role) {
          await trx.updateTable('memberships').set({ role: ctx.body.role }).where('organisation_id', '=', org.id).where('user_id', '=', userId).execute();
          // A new role may require MFA: the person signs in again and enrols before using it.
          if (ctx.body.role !== membership.role) await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
        }
        if (ctx.body.disabled !== undefined) {
          await trx.updateTable('users').set({ disabled: ctx.body.disabled }).where('id', '=', userId).execute();
          if (ctx.body.disabled) await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
        }
        await ctx.audit(trx, { action: 'user.update', objectType: 'user', objectId: userId, outcome: 'success', details: ctx.body });
      });
      const row = await ctx.services.db.selectFrom('memberships').innerJoin('users', 'users.id', 'memberships.user_id')
        .select(['users.id', 'users.email', 'users.name', 'memberships.role', 'users.disabled', 'users.mfa_enrolled_at'])
        .where('memberships.organisation_id', '=', org.id).where('users.id', '=', userId).executeTakeFirstOrThrow();
      return { userId: row.id, email: row.email, name: row.name, role: row.role, disabled: row.disabled, mfaEnrolled: !!row.mfa_enrolled_at };
    },
  }),
];
