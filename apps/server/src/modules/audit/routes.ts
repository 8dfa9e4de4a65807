import { z } from 'zod';
import { defineRoute, type RouteDef } from '../../platform/http.ts';

const instant = z.iso.datetime({ offset: true });

export const auditRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET', path: '/api/v1/organisations/:orgId/audit', access: { permission: 'audit.read' }, tag: 'audit', summary: "Piste d'audit de l'organisation",
    query: z.object({
      actor: z.string().trim().max(320).optional(),
      object: z.string().trim().max(200).optional(),
      from: instant.optional(),
      to: instant.optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(200),
    }),
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      let query = ctx.services.db.selectFrom('audit_log').selectAll().where('organisation_id', '=', org.id);
      if (ctx.query.actor) query = query.where('actor_label', 'ilike', `%${ctx.query.actor.replace(/[%_\\]/g, '\\$&')}%`);
      if (ctx.query.object) {
        const term = ctx.query.object;
        query = query.where((eb) => eb.or([eb('object_type', '=', term), eb('object_id', '=', term)]));
      }
      if (ctx.query.from) query = query.where('at', '>=', new Date(ctx.query.from));
      if (ctx.query.to) query = query.where('at', '<=', new Date(ctx.query.to));
      const rows = await query.orderBy('seq', 'desc').limit(ctx.query.limit).execute();
      await ctx.auditRead('audit_log', null, { filters: ctx.query, count: rows.length });
      return rows.map((r) => ({
        seq: r.seq, at: r.at.toISOString(), actorName: r.actor_label, action: r.action, objectType: r.object_type,
        objectId: r.object_id, ip: r.ip, outcome: r.outcome, details: r.details,
      }));
    },
  }),
];
