import { z } from 'zod';
import { ROLES } from '../../platform/permissions.ts';
import { say } from '../../platform/say.ts';

export const INCIDENT_TYPES = [
  'rancongiciel', 'exfiltration', 'compromission_compte', 'prestataire', 'hameconnage', 'deni_de_service', 'perte_vol_materiel', 'autre',
] as const;

const instant = z.iso.datetime({ offset: true, message: say('Date et heure attendues au format ISO 8601 (ex. 2026-11-21T08:30:00Z).', 'Date and time expected in ISO 8601 format (e.g. 2026-11-21T08:30:00Z).') });
const shortList = z.array(z.string().trim().min(1).max(200)).max(100);

export const personalDataSchema = z.object({
  involved: z.boolean(),
  categories: shortList.default([]),
  approxPersons: z.number().int().min(0).max(1_000_000_000).nullable().optional(),
  approxRecords: z.number().int().min(0).max(10_000_000_000).nullable().optional(),
  sensitive: z.boolean().default(false),
  minors: z.boolean().default(false),
});

export const incidentInputSchema = z
  .object({
    type: z.enum(INCIDENT_TYPES),
    title: z.string().trim().min(3, say('Titre trop court.', 'Title too short.')).max(200),
    startedAt: instant.nullable().optional(),
    awareAt: instant,
    detectedHow: z.string().trim().max(5000).default(''),
    affectedSystems: shortList.default([]),
    affectedServices: shortList.default([]),
    personalData: personalDataSchema,
    provider: z.string().trim().max(200).nullable().optional(),
  })
  .refine((i) => !i.startedAt || new Date(i.startedAt) <= new Date(i.awareAt), {
    message: say('Le début ne peut pas être postérieur à la prise de connaissance.', 'The start cannot be later than the moment the incident became known.'),
    path: ['startedAt'],
  });

export const incidentPatchSchema = z.object({
  title: z.string().trim().min(3).max(200).optional(),
  status: z.enum(['open', 'contained', 'closed']).optional(),
  startedAt: instant.nullable().optional(),
  endedAt: instant.nullable().optional(),
  detectedHow: z.string().trim().max(5000).optional(),
  affectedSystems: shortList.optional(),
  affectedServices: shortList.optional(),
  personalData: personalDataSchema.optional(),
  provider: z.string().trim().max(200).nullable().optional(),
});

export const journalInputSchema = z
  .object({
    kind: z.enum(['fact', 'decision', 'communication', 'correction']),
    text: z.string().trim().min(1, say('Le texte est vide.', 'The text is empty.')).max(20_000),
    occurredAt: instant.optional(),
    correctsId: z.string().uuid().optional(),
  })
  .refine((e) => (e.kind === 'correction') === !!e.correctsId, {
    message: say('Une correction doit désigner l’entrée corrigée (et seule une correction le peut).', 'A correction must name the entry it corrects (and only a correction can).'),
    path: ['correctsId'],
  });

export const taskInputSchema = z.object({
  title: z.string().trim().min(3).max(300),
  description: z.string().trim().max(5000).default(''),
  ownerRole: z.enum(ROLES),
  dueAt: instant,
  phase: z.enum(['first_hour', 'first_day', 'first_week']).optional(),
});

export const taskPatchSchema = z
  .object({
    status: z.enum(['todo', 'in_progress', 'done', 'not_applicable']).optional(),
    ownerRole: z.enum(ROLES).optional(),
    assigneeUserId: z.string().uuid().nullable().optional(),
    notApplicableReason: z.string().trim().min(3).max(2000).optional(),
    dueAt: instant.optional(),
  })
  .refine((t) => t.status !== 'not_applicable' || !!t.notApplicableReason, {
    message: say('Indiquez pourquoi la tâche est sans objet.', 'Say why the task does not apply.'),
    path: ['notApplicableReason'],
  });

export const registerEntrySchema = z
  .object({
    facts: z.string().trim().max(20_000).default(''),
    effects: z.string().trim().max(20_000).default(''),
    remedialActions: z.string().trim().max(20_000).default(''),
    notified: z.boolean(),
    reasonNotNotified: z.string().trim().max(20_000).nullable().optional(),
  })
  .refine((r) => r.notified || (r.reasonNotNotified ?? '').length >= 10, {
    message: say("Sans notification à la CNIL, le registre doit expliquer pourquoi (art. 33(5) RGPD).", 'Without a notification to the CNIL, the register must explain why (GDPR art. 33(5)).'),
    path: ['reasonNotNotified'],
  });

export const noticeSchema = z.object({
  title: z.string().trim().min(3).max(300),
  body: z.string().trim().min(10).max(50_000),
});

export const submissionSchema = z.object({ kind: z.enum(['initial', 'complementary', 'complete']) });
