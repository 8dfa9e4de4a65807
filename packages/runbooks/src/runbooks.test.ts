import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CNIL_DEADLINE_MS, checkRunbooks, durationMs, expandRunbook, INCIDENT_TYPES, listRunbooks, loadRunbook, OWNER_ROLES, PHASE_BOUNDS_MS,
  parseRunbookDir, runbooksDir,
} from './index.ts';

const awareAt = new Date('2026-03-29T00:30:00Z'); // the night the clocks go forward in Paris
const HOUR = 3_600_000;

describe('shipped runbooks', () => {
  it('load without a single problem, one per incident type', () => {
    expect(checkRunbooks()).toEqual([]);
    expect(listRunbooks().map((r) => r.type)).toEqual([...INCIDENT_TYPES]);
  });

  it('cover what the issue, the seeds and ANSSI/CNIL guidance prescribe for a leak through a compromised account', () => {
    const keys = expandRunbook('exfiltration', { awareAt, personalDataInvolved: true }).map((t) => t.key);
    for (const key of [
      'isoler_sans_eteindre', 'preserver_preuves', 'alerter_prestataire', 'prevenir_assureur', 'deposer_plainte', 'notifier_cnil',
      'signaler_csirt_anssi', 'demander_assistance', 'desactiver_compte_compromis', 'reinitialiser_mots_de_passe',
      'auditer_journaux_connexion', 'supprimer_droits_export', 'couper_outils_administration', 'decider_information_personnes',
      'informer_agents', 'informer_public', 'delimiter_fuite', 'inscrire_registre', 'ne_pas_payer',
    ]) expect(keys).toContain(key);
  });

  it('ask for a recorded decision on any ransom, and protect backups, in a ransomware attack', () => {
    const tasks = expandRunbook('rancongiciel', { awareAt, personalDataInvolved: false });
    const ransom = tasks.find((t) => t.key === 'ne_pas_payer')!;
    expect(ransom.description).toMatch(/main courante/);
    expect(ransom.phase).toBe('first_hour');
    expect(tasks.map((t) => t.key)).toEqual(expect.arrayContaining(['proteger_sauvegardes', 'activer_modes_degrades', 'isoler_sans_eteindre']));
  });

  it('every type carries the common trunk: isolate, evidence, provider, insurer, complaint, CSIRT, cybermalveillance, staff, public', () => {
    for (const type of INCIDENT_TYPES) {
      const keys = expandRunbook(type, { awareAt, personalDataInvolved: true }).map((t) => t.key);
      expect(keys, type).toEqual(expect.arrayContaining([
        'isoler_sans_eteindre', 'preserver_preuves', 'alerter_prestataire', 'prevenir_assureur', 'deposer_plainte', 'signaler_csirt_anssi',
        'demander_assistance', 'informer_agents', 'informer_public', 'notifier_cnil', 'decider_information_personnes', 'inscrire_registre',
      ]));
    }
  });

  it('drop the personal-data tasks when no personal data is involved, and ask to check that instead', () => {
    const without = expandRunbook('rancongiciel', { awareAt, personalDataInvolved: false }).map((t) => t.key);
    expect(without).not.toContain('notifier_cnil');
    expect(without).not.toContain('inscrire_registre');
    expect(without).toContain('verifier_donnees_personnelles');
    const withData = expandRunbook('rancongiciel', { awareAt, personalDataInvolved: true }).map((t) => t.key);
    expect(withData).not.toContain('verifier_donnees_personnelles');
  });

  it('date every task from awareness, inside its phase, in order, CNIL before 72 hours', () => {
    for (const type of INCIDENT_TYPES) {
      for (const personalDataInvolved of [true, false]) {
        const tasks = expandRunbook(type, { awareAt, personalDataInvolved });
        expect(new Set(tasks.map((t) => t.key)).size).toBe(tasks.length);
        for (const [i, t] of tasks.entries()) {
          const ms = t.dueAt.getTime() - awareAt.getTime();
          const [min, max] = PHASE_BOUNDS_MS[t.phase];
          expect(ms).toBeGreaterThan(min);
          expect(ms).toBeLessThanOrEqual(max);
          expect(OWNER_ROLES).toContain(t.ownerRole);
          expect(t.description.length).toBeGreaterThan(40);
          if (i > 0) {
            const prev = tasks[i - 1]!;
            expect(prev.dueAt.getTime() < t.dueAt.getTime() || (prev.dueAt.getTime() === t.dueAt.getTime() && prev.key < t.key)).toBe(true);
          }
        }
        const cnil = tasks.find((t) => t.key === 'notifier_cnil');
        if (personalDataInvolved) expect(cnil!.dueAt.getTime() - awareAt.getTime()).toBeLessThan(CNIL_DEADLINE_MS);
      }
    }
  });

  it('counts exact hours across the change of clocks: P3D is 72 hours, as the CNIL deadline', () => {
    const tasks = expandRunbook('exfiltration', { awareAt, personalDataInvolved: true });
    expect(tasks.find((t) => t.key === 'decider_information_personnes')!.dueAt.toISOString()).toBe('2026-04-01T00:30:00.000Z');
  });

  it('is deterministic for any awareness instant: same keys, same offsets', () => {
    const reference = expandRunbook('compromission_compte', { awareAt, personalDataInvolved: true });
    fc.assert(fc.property(fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }), (aware) => {
      const tasks = expandRunbook('compromission_compte', { awareAt: aware, personalDataInvolved: true });
      expect(tasks.map((t) => [t.key, t.dueAt.getTime() - aware.getTime()])).toEqual(reference.map((t) => [t.key, t.dueAt.getTime() - awareAt.getTime()]));
    }), { numRuns: 50 });
  });

  it('refuses an unknown incident type with a stable code and a French message', () => {
    expect(() => loadRunbook('inondation')).toThrowError(expect.objectContaining({ code: 'unknown_type', message: expect.stringContaining('inondation') }));
    expect(() => expandRunbook('__proto__', { awareAt, personalDataInvolved: true })).toThrowError(expect.objectContaining({ code: 'unknown_type' }));
  });

  it('keeps plain French for a mayor: no English jargon in titles', () => {
    const titles = listRunbooks().flatMap((r) => r.allTasks.map((t) => t.title)).join('\n');
    for (const word of ['backup', 'logs', 'incident response', 'ransomware', 'password']) expect(titles.toLowerCase()).not.toContain(word);
  });
});

describe('ISO 8601 durations of due times', () => {
  it('accepts days, hours and minutes only', () => {
    expect(durationMs('PT15M')).toBe(15 * 60_000);
    expect(durationMs('P2DT3H')).toBe(51 * HOUR);
    for (const bad of ['P', 'PT', 'P1M', 'P1Y', 'PT1S', '1H', 'P1.5D', '', 'P-1D']) expect(durationMs(bad), bad).toBeNull();
  });
});

describe('a folder of runbooks edited by an operator', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const copyShipped = (edit: (files: Map<string, string>) => void) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rempart-runbooks-'));
    dirs.push(dir);
    const files = new Map(['_commun', '_compte', ...INCIDENT_TYPES].map((n) => [`${n}.yml`, readFileSync(path.join(runbooksDir, `${n}.yml`), 'utf8')]));
    edit(files);
    for (const [name, text] of files) writeFileSync(path.join(dir, name), text);
    return dir;
  };

  it('loads a customised copy and uses its tasks', () => {
    const dir = copyShipped((f) => f.set('autre.yml', f.get('autre.yml')!.replace('tasks: []', `tasks:
  - key: appeler_astreinte
    title: "Appeler l'élu d'astreinte"
    description: "Numéro sur la fiche réflexe affichée à l'accueil de la mairie."
    phase: first_hour
    ownerRole: agent
    dueAfter: PT5M`)));
    const tasks = expandRunbook('autre', { awareAt, personalDataInvolved: false, dir });
    expect(tasks[0]).toMatchObject({ key: 'appeler_astreinte', ownerRole: 'agent', dueAt: new Date(awareAt.getTime() + 5 * 60_000) });
  });

  it('names the file, line and field of each mistake', () => {
    const dir = copyShipped((f) => {
      f.set('hameconnage.yml', f.get('hameconnage.yml')!.replace('ownerRole: elu', 'ownerRole: maire'));
      f.delete('deni_de_service.yml');
      f.set('autre.yml', f.get('autre.yml')!.replace('include: [_commun]', 'include: [_commun, _inexistant]'));
    });
    const result = parseRunbookDir(dir);
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    const role = issues.find((i) => i.file === 'hameconnage.yml')!;
    expect(role).toMatchObject({ code: 'invalid_field', field: expect.stringMatching(/^tasks\.\d+\.ownerRole$/) });
    expect(readFileSync(path.join(dir, 'hameconnage.yml'), 'utf8').split('\n')[role.line! - 1]).toContain('ownerRole: maire');
    expect(issues).toEqual(expect.arrayContaining([
      expect.objectContaining({ code: 'unknown_type', file: 'deni_de_service.yml' }),
      expect.objectContaining({ code: 'unknown_include', file: 'autre.yml', message: expect.stringContaining('_inexistant') }),
    ]));
    expect(() => listRunbooks({ dir })).toThrowError(/hameconnage\.yml, ligne \d+, champ « tasks\.\d+\.ownerRole »/);
  });

  it('detects an include cycle instead of looping', () => {
    const dir = copyShipped((f) => f.set('_compte.yml', f.get('_compte.yml')!.replace('summary:', 'include: [_compte]\nsummary:')));
    const result = parseRunbookDir(dir);
    expect(result.ok ? [] : result.issues).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'include_cycle' })]));
  });
});
