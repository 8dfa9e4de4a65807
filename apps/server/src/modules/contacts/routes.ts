// Local contacts (IT provider, insurer, police…) are personal data of third parties: phone, email and
// notes are encrypted at rest, bound to their organisation and row, and every listing is audited.
import { z } from 'zod';
import { defineRoute, type RouteDef } from '../../platform/http.ts';
import { errors } from '../../platform/errors.ts';
import type { Keys } from '../../platform/keys.ts';
import { isUuid } from '../organisations/access.ts';
import { loadNationalContacts } from '@rempart/runbooks';
import { say } from '../../platform/say.ts';

export const CONTACT_CATEGORIES = ['prestataire_it', 'assureur', 'police', 'gendarmerie', 'prefecture', 'dpo', 'presse', 'autre'] as const;

const contactSchema = z.object({
  category: z.enum(CONTACT_CATEGORIES),
  name: z.string().trim().min(2).max(200),
  organisation: z.string().trim().max(200).nullable().optional(),
  phone: z.string().trim().max(40).regex(/^[0-9+().\s-]*$/, say('Numéro de téléphone invalide.', 'Invalid phone number.')).nullable().optional(),
  email: z.string().trim().email(say('Adresse électronique invalide.', 'Invalid email address.')).max(320).nullable().optional(),
  notes: z.string().trim().max(5000).nullable().optional(),
});

const ad = (orgId: string, id: string, field: string) => `contact:${orgId}:${id}:${field}`;
const seal = (keys: Keys, orgId: string, id: string, field: string, value: string | null | undefined) =>
  value ? keys.encrypt(value, ad(orgId, id, field)) : null;
const open = (keys: Keys, orgId: string, id: string, field: string, value: string | null) =>
  value ? keys.decrypt(value, ad(orgId, id, field)) : null;

function view(keys: Keys, row: Record<string, any>) {
  return {
    id: row.id as string,
    category: row.category as string,
    name: row.name as string,
    organisation: row.organisation_name as string | null,
    phone: open(keys, row.organisation_id, row.id, 'phone', row.phone_enc),
    email: open(keys, row.organisation_id, row.id, 'email', row.email_enc),
    notes: open(keys, row.organisation_id, row.id, 'notes', row.notes_enc),
  };
}

const ORG = '/api/v1/organisations/:orgId';

export const contactRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET', path: '/api/v1/contacts/national', access: 'session', tag: 'contacts', summary: 'Contacts nationaux (CNIL, ANSSI, CSIRT…)',
    handler: async () => loadNationalContacts(),
  }),
  defineRoute({
    method: 'GET', path: `${ORG}/contacts`, access: { permission: 'contacts.read' }, tag: 'contacts', summary: 'Contacts locaux',
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const rows = await ctx.services.db.selectFrom('contacts').selectAll().where('organisation_id', '=', org.id).orderBy('category').orderBy('name').execute();
      await ctx.auditRead('contacts', null, { count: rows.length });
      return rows.map((r) => view(ctx.services.keys, r));
    },
  }),
  defineRoute({
    method: 'POST', path: `${ORG}/contacts`, access: { permission: 'contacts.write' }, tag: 'contacts', summary: 'Ajouter un contact local',
    body: contactSchema,
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const keys = ctx.services.keys;
      const id = crypto.randomUUID();
      const row = await ctx.services.db.transaction().execute(async (trx) => {
        const created = await trx.insertInto('contacts').values({
          id, organisation_id: org.id, category: ctx.body.category, name: ctx.body.name, organisation_name: ctx.body.organisation ?? null,
          phone_enc: seal(keys, org.id, id, 'phone', ctx.body.phone), email_enc: seal(keys, org.id, id, 'email', ctx.body.email),
          notes_enc: seal(keys, org.id, id, 'notes', ctx.body.notes),
        }).returningAll().executeTakeFirstOrThrow();
        await ctx.audit(trx, { action: 'contact.create', objectType: 'contact', objectId: id, outcome: 'success' });
        return created;
      });
      ctx.reply.code(201);
      return view(keys, row);
    },
  }),
  defineRoute({
    method: 'PATCH', path: `${ORG}/contacts/:contactId`, access: { permission: 'contacts.write' }, tag: 'contacts', summary: 'Modifier un contact local',
    body: contactSchema.partial(),
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const keys = ctx.services.keys;
      const id = ctx.params.contactId;
      if (!isUuid(id)) throw errors.notFound('Contact');
      const set: Record<string, unknown> = { updated_at: ctx.services.now() };
      if (ctx.body.category !== undefined) set.category = ctx.body.category;
      if (ctx.body.name !== undefined) set.name = ctx.body.name;
      if (ctx.body.organisation !== undefined) set.organisation_name = ctx.body.organisation;
      if (ctx.body.phone !== undefined) set.phone_enc = seal(keys, org.id, id, 'phone', ctx.body.phone);
      if (ctx.body.email !== undefined) set.email_enc = seal(keys, org.id, id, 'email', ctx.body.email);
      if (ctx.body.notes !== undefined) set.notes_enc = seal(keys, org.id, id, 'notes', ctx.body.notes);
      const row = await ctx.services.db.transaction().execute(async (trx) => {
        const updated = await trx.updateTable('contacts').set(set).where('organisation_id', '=', org.id).where('id', '=', id).returningAll().executeTakeFirst();
        if (!updated) throw errors.notFound('Contact');
        await ctx.audit(trx, { action: 'contact.update', objectType: 'contact', objectId: id, outcome: 'success', details: { fields: Object.keys(ctx.body) } });
        return updated;
      });
      return view(keys, row);
    },
  }),
  defineRoute({
    method: 'DELETE', path: `${ORG}/contacts/:contactId`, access: { permission: 'contacts.write' }, tag: 'contacts', summary: 'Supprimer un contact local',
    handler: async (ctx) => {
      const org = ctx.requireOrg();
      const id = ctx.params.contactId;
      if (!isUuid(id)) throw errors.notFound('Contact');
      await ctx.services.db.transaction().execute(async (trx) => {
        const deleted = await trx.deleteFrom('contacts').where('organisation_id', '=', org.id).where('id', '=', id).executeTakeFirst();
        if (!deleted.numDeletedRows) throw errors.notFound('Contact');
        await ctx.audit(trx, { action: 'contact.delete', objectType: 'contact', objectId: id, outcome: 'success' });
      });
      return undefined;
    },
  }),
];
