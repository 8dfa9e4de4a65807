import { describe, expect, it } from 'vitest';
import { loadNationalContacts, parseNationalContacts } from './index.ts';

describe('national contacts', () => {
  const file = loadNationalContacts();

  it('list CNIL, CERT-FR, cybermalveillance.gouv.fr, 17Cyber and regional CSIRTs, each with the date it was checked', () => {
    expect(file.checkedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(file.contacts.map((c) => c.id)).toEqual(expect.arrayContaining(['cnil', 'cert-fr', 'cybermalveillance', '17cyber', 'csirt-ile-de-france']));
    for (const c of file.contacts) expect(c.checkedOn <= file.checkedOn).toBe(true);
    const regions = file.contacts.filter((c) => c.kind === 'csirt_regional');
    expect(regions.length).toBeGreaterThanOrEqual(10);
    for (const c of regions) expect(c.region).toBeTruthy();
  });

  it('never carries a phone number that is not a plausible French number', () => {
    // eslint-disable-next-line security/detect-unsafe-regex -- fixed-length pattern on a short test string
    for (const c of file.contacts.filter((x) => x.phone)) expect(c.phone).toMatch(/^0\d( \d{2}){4}$/);
  });

  it('reports a broken contacts file with its line and field', () => {
    const result = parseNationalContacts('checkedOn: "2026-11-22"\ncontacts:\n  - id: cnil\n    kind: national\n    name: CNIL\n    role: Notification\n    url: http://exemple.invalid\n    checkedOn: "hier"\n');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((i) => [i.field, i.line])).toEqual(expect.arrayContaining([['contacts.0.url', 7], ['contacts.0.checkedOn', 8]]));
    }
    const dup = parseNationalContacts('checkedOn: "2026-11-22"\ncontacts:\n  - { id: a1, kind: national, name: Alpha, role: rôle un, checkedOn: "2026-01-01" }\n  - { id: a1, kind: national, name: Bravo, role: rôle deux, checkedOn: "2026-01-01" }\n');
    expect(dup.ok ? null : dup.issues[0]).toMatchObject({ code: 'duplicate_key', line: 4 });
  });
});
