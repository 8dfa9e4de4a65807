import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { can, permissionsMarkdown, PRIVILEGED_ROLES } from './permissions.ts';

describe('permission matrix', () => {
  it('is documented exactly as enforced (regenerate with npm run docs:permissions)', async () => {
    const doc = await readFile(new URL('../../../../docs/permissions.md', import.meta.url), 'utf8');
    expect(doc).toBe(permissionsMarkdown());
  });

  it('keeps readers and providers away from the CNIL dossier and the audit trail', () => {
    expect(can('lecteur', 'cnil.read')).toBe(false);
    expect(can('prestataire', 'cnil.read')).toBe(false);
    expect(can('agent', 'audit.read')).toBe(false);
    expect(can('dpo', 'cnil.write')).toBe(true);
  });

  it('gives a read-only group member no write of any kind', () => {
    expect(can('rssi', 'incident.read', { readOnly: true })).toBe(true);
    expect(can('rssi', 'incident.write', { readOnly: true })).toBe(false);
    expect(can('rssi', 'journal.write', { readOnly: true })).toBe(false);
  });

  it('requires MFA for the roles that can read or change the most', () => {
    expect([...PRIVILEGED_ROLES].sort()).toEqual(['admin', 'dpo', 'rssi']);
  });
});
