import type { Transaction } from 'kysely';
import type { Db, Schema } from '@rempart/db';
import { z } from 'zod';
import { errors } from '../../platform/errors.ts';
import type { organisationInputSchema, organisationPatchSchema } from './schema.ts';

type OrganisationInput = z.infer<typeof organisationInputSchema>;

export function organisationView(row: Record<string, any>) {
  return {
    id: row.id as string,
    name: row.name as string,
    kind: row.kind as string,
    siren: row.siren as string | null,
    inseeCode: row.insee_code as string | null,
    population: row.population as number | null,
    address: row.address as string | null,
    dpo: { name: row.dpo_name as string | null, email: row.dpo_email as string | null, phone: row.dpo_phone as string | null },
  };
}
export type OrganisationView = ReturnType<typeof organisationView>;

export async function getOrganisation(db: Db, id: string): Promise<OrganisationView> {
  const row = await db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw errors.notFound('Organisation');
  return organisationView(row);
}

function toColumns(input: Partial<OrganisationInput>) {
  return {
    ...(input.name !== undefined && { name: input.name }),
    ...(input.kind !== undefined && { kind: input.kind }),
    ...(input.siren !== undefined && { siren: input.siren }),
    ...(input.inseeCode !== undefined && { insee_code: input.inseeCode }),
    ...(input.population !== undefined && { population: input.population }),
    ...(input.address !== undefined && { address: input.address }),
    ...(input.dpo?.name !== undefined && { dpo_name: input.dpo.name }),
    ...(input.dpo?.email !== undefined && { dpo_email: input.dpo.email }),
    ...(input.dpo?.phone !== undefined && { dpo_phone: input.dpo.phone }),
  };
}

export async function createOrganisation(trx: Transaction<Schema> | Db, input: OrganisationInput & { isDemo?: boolean }): Promise<string> {
  const row = await trx
    .insertInto('organisations')
    .values({ name: input.name, kind: input.kind, ...toColumns(input), is_demo: input.isDemo ?? false } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateOrganisation(trx: Transaction<Schema>, id: string, patch: z.infer<typeof organisationPatchSchema>): Promise<void> {
  const columns = toColumns(patch);
  if (Object.keys(columns).length === 0) return;
  await trx.updateTable('organisations').set(columns).where('id', '=', id).execute();
}
