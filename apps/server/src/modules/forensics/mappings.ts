// Column mappings saved by an organisation: checked with the same reader as the preview and the scan
// (a saved mapping always loads), who wrote them and when kept, every change audited.
import { z } from 'zod';
import type { Selectable, Transaction } from 'kysely';
import type { Schema } from '@rempart/db';
import { errors } from '../../platform/errors.ts';
import type { Services } from '../../platform/services.ts';
import { isUuid } from '../organisations/access.ts';
import type { PresetId } from './presets.ts';
import { mappingIssueText, resolveMapping } from './service.ts';
import { say } from '../../platform/say.ts';

export const savedMappingSchema = z.object({
  name: z.string().trim().min(1, say('Donnez un nom à la correspondance.', 'Give the mapping a name.')).max(100, say('Nom trop long (100 caractères au plus).', 'Name too long (100 characters at most).')),
  text: z.string().trim().min(1, say('La correspondance est vide : écrivez-la en YAML.', 'The mapping is empty: write it in YAML.')).max(256 * 1024, say('Correspondance trop longue (256 Ko au plus).', 'Mapping too long (256 KB at most).')),
});
export type SavedMappingInput = z.infer<typeof savedMappingSchema>;

type Db = Services['db'] | Transaction<Schema>;

export function mappingView(row: Selectable<Schema['forensic_mappings']>) {
  return {
    id: row.id,
    name: row.name,
    text: row.mapping_text,
    createdByName: row.created_by_name,
    createdAt: new Date(row.created_at).toISOString(),
    updatedByName: row.updated_by_name,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Refuses a mapping the reader cannot load, each problem located (line, key) in French under `text`. */
export function checkMappingText(text: string): void {
  const resolved = resolveMapping({ mapping: text });
  if (!resolved.ok) throw errors.validation(resolved.issues.map((i) => ({ path: 'text', message: mappingIssueText(i) })), 'La correspondance ne peut pas être lue.');
}

export async function listMappings(db: Db, orgId: string) {
  const rows = await db.selectFrom('forensic_mappings').selectAll().where('organisation_id', '=', orgId).orderBy('name').execute();
  return rows.map(mappingView);
}

export async function mappingRow(db: Db, orgId: string, mappingId: string | undefined) {
  const row = isUuid(mappingId)
    ? await db.selectFrom('forensic_mappings').selectAll().where('organisation_id', '=', orgId).where('id', '=', mappingId).executeTakeFirst()
    : undefined;
  if (!row) throw errors.notFound('Correspondance enregistrée');
  return row;
}

/** A name is unique within the organisation: said in French before the constraint would say it in SQL. */
export async function assertNameFree(db: Db, orgId: string, name: string, exceptId?: string): Promise<void> {
  let q = db.selectFrom('forensic_mappings').select('id').where('organisation_id', '=', orgId).where('name', '=', name);
  if (exceptId) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst()) {
    throw errors.conflict('mapping_name_taken', `Une correspondance nommée « ${name} » existe déjà dans l’organisation : choisissez un autre nom ou modifiez-la.`, [{ path: 'name', message: 'Nom déjà pris.' }]);
  }
}

/**
 * The mapping a preview or a scan asked for, as the reader takes it (preset or text), with the name
 * of the saved mapping when it is one.
 */
export async function chosenMapping(db: Db, orgId: string, choice: { preset?: PresetId; mappingId?: string; mapping?: string }): Promise<{ preset?: PresetId; mapping?: string; name: string | null }> {
  if (choice.mappingId === undefined) return { preset: choice.preset, mapping: choice.mapping, name: null };
  const row = await db.selectFrom('forensic_mappings').select(['name', 'mapping_text']).where('organisation_id', '=', orgId).where('id', '=', choice.mappingId).executeTakeFirst();
  if (!row) throw errors.validation([{ path: 'mappingId', message: 'Correspondance enregistrée inconnue dans cette organisation (supprimée ?).' }]);
  return { mapping: row.mapping_text, name: row.name };
}
