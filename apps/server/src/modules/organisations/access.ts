// Who may reach an organisation, and as what: a direct membership, or the staff of a groupement
// the organisation belongs to (read-only unless the group grants writing).
import type { Db } from '@rempart/db';
import type { Role } from '../../platform/permissions.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string | undefined): value is string => !!value && UUID.test(value);

export interface Access {
  id: string;
  role: Role;
  readOnly: boolean;
}

export async function resolveAccess(db: Db, userId: string, organisationId: string): Promise<Access | null> {
  if (!isUuid(organisationId)) return null;
  const direct = await db
    .selectFrom('memberships')
    .select('role')
    .where('user_id', '=', userId)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  if (direct) return { id: organisationId, role: direct.role as Role, readOnly: false };
  const viaGroup = await db
    .selectFrom('group_staff')
    .innerJoin('group_members', 'group_members.group_id', 'group_staff.group_id')
    .select(['group_staff.role', 'group_staff.can_write'])
    .where('group_staff.user_id', '=', userId)
    .where('group_members.organisation_id', '=', organisationId)
    .orderBy('group_staff.can_write', 'desc')
    .executeTakeFirst();
  if (viaGroup) return { id: organisationId, role: viaGroup.role as Role, readOnly: !viaGroup.can_write };
  return null;
}

export interface MembershipView {
  organisationId: string;
  organisationName: string;
  kind: string;
  role: Role;
  readOnly: boolean;
}

export async function listAccessibleOrganisations(db: Db, userId: string): Promise<MembershipView[]> {
  const direct = await db
    .selectFrom('memberships')
    .innerJoin('organisations', 'organisations.id', 'memberships.organisation_id')
    .select(['organisations.id', 'organisations.name', 'organisations.kind', 'memberships.role'])
    .where('memberships.user_id', '=', userId)
    .execute();
  const viaGroup = await db
    .selectFrom('group_staff')
    .innerJoin('group_members', 'group_members.group_id', 'group_staff.group_id')
    .innerJoin('organisations', 'organisations.id', 'group_members.organisation_id')
    .select(['organisations.id', 'organisations.name', 'organisations.kind', 'group_staff.role', 'group_staff.can_write'])
    .where('group_staff.user_id', '=', userId)
    .execute();
  const seen = new Map<string, MembershipView>();
  for (const m of direct) seen.set(m.id, { organisationId: m.id, organisationName: m.name, kind: m.kind, role: m.role as Role, readOnly: false });
  for (const m of viaGroup) {
    if (!seen.has(m.id)) seen.set(m.id, { organisationId: m.id, organisationName: m.name, kind: m.kind, role: m.role as Role, readOnly: !m.can_write });
  }
  return [...seen.values()].sort((a, b) => a.organisationName.localeCompare(b.organisationName, 'fr'));
}
