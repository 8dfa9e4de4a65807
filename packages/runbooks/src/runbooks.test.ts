import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cnilClock, CNIL_DEADLINE_MS, expandRunbook, INCIDENT_TYPES, listRunbooks, loadNationalContacts } from './index.ts';

const awareAt = new Date('2026-03-29T00:30:00Z'); // the night clocks go forward in Paris

describe('runbooks', () => {
  it('loads and validates one runbook per incident type', () => {
    expect(listRunbooks().map((r) => r.type)).toEqual([...INCIDENT_TYPES]);
  });

  it('covers what the seeds and ANSSI/CNIL guidance prescribe for a leak through a compromised account', () => {
    const keys = expandRunbook('exfiltration', { awareAt, personalDataInvolved: true }).map((t) => t.key);
    for (const key of [
      'isoler_sans_eteindre', 'preserver_preuves', 'alerter_prestataire', 'prevenir_assureur', 'deposer_plainte', 'notifier_cnil',
      'signaler_csirt_anssi', 'demander_assistance', 'desactiver_compte_compromis', 'reinitialiser_mots_de_passe',
      'auditer_journaux_connexion', 'supprimer_droits_export', 'couper_outils_administration', 'decider_information_personnes',
      'informer_agents', 'informer_public', 'delimiter_fuite', 'inscrire_registre',
    ]) expect(keys).toContain(key);
    expect(expandRunbook('rancongiciel', { awareAt, personalDataInvolved: false }).map((t) => t.key)).toContain('ne_pas_payer');
  });

  it('drops the personal-data tasks when no personal data is involved', () => {
    const keys = expandRunbook('rancongiciel', { awareAt, personalDataInvolved: false }).map((t) => t.key);
    expect(keys).not.toContain('notifier_cnil');
    expect(keys).not.toContain('inscrire_registre');
  });

  it('dates every task from the awareness time, in order, within its phase, CNIL before 72 hours', () => {
    for (const type of INCIDENT_TYPES) {
      const tasks = expandRunbook(type, { awareAt, personalDataInvolved: true });
      for (const [i, t] of tasks.entries()) {
        const hours = (t.dueAt.getTime() - awareAt.getTime()) / 3_600_000;
        expect(hours).toBeGreaterThan(0);
        expect(hours).toBeLessThanOrEqual({ first_hour: 1, first_day: 24, first_week: 168 }[t.phase]);
        if (i > 0) expect(t.dueAt.getTime()).toBeGreaterThanOrEqual(tasks[i - 1]!.dueAt.getTime());
      }
      const cnil = tasks.find((t) => t.key === 'notifier_cnil')!;
      expect(cnil.dueAt.getTime() - awareAt.getTime()).toBeLessThan(CNIL_DEADLINE_MS);
    }
  });
});

describe('72-hour clock', () => {
  it('runs, turns due soon in the last 12 hours, then overdue', () => {
    const at = (h: number) => cnilClock({ awareAt, personalDataInvolved: true, now: new Date(awareAt.getTime() + h * 3_600_000) });
    expect(at(1).state).toBe('running');
    expect(at(61).state).toBe('due_soon');
    expect(at(73).state).toBe('overdue');
    expect(at(0).deadline).toBe('2026-04-01T00:30:00.000Z');
  });

  it('freezes at notification: on time or late', () => {
    const late = cnilClock({ awareAt, personalDataInvolved: true, notifiedAt: new Date(awareAt.getTime() + 80 * 3_600_000), now: new Date('2027-01-01') });
    expect(late).toMatchObject({ state: 'notified_late', remainingMs: -8 * 3_600_000 });
    const onTime = cnilClock({ awareAt, personalDataInvolved: false, notifiedAt: awareAt, now: new Date('2027-01-01') });
    expect(onTime.state).toBe('notified_on_time');
  });

  it('always puts the deadline exactly 72 hours after awareness, whatever the instants', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), fc.integer({ min: -1e10, max: 1e10 }), fc.boolean(), (aware, offset, pd) => {
        const now = new Date(aware.getTime() + offset);
        const clock = cnilClock({ awareAt: aware, personalDataInvolved: pd, now });
        expect(new Date(clock.deadline).getTime() - aware.getTime()).toBe(CNIL_DEADLINE_MS);
        expect(clock.remainingMs).toBe(CNIL_DEADLINE_MS - offset);
        if (!pd) expect(clock.state).toBe('not_required');
        else expect(clock.state === 'overdue').toBe(offset > CNIL_DEADLINE_MS);
      }),
    );
  });
});

describe('national contacts', () => {
  it('lists CNIL, CERT-FR and cybermalveillance.gouv.fr with the date they were checked', () => {
    const file = loadNationalContacts();
    expect(file.checkedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(file.contacts.map((c) => c.id)).toEqual(expect.arrayContaining(['cnil', 'cert-fr', 'cybermalveillance', '17cyber']));
  });
});
