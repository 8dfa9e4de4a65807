import { describe, expect, it } from 'vitest';
import { filterTasks, notificationStatus } from './incident-logic.ts';

describe('task filter', () => {
  const me = { role: 'dpo', userId: 'u-karim' };
  const tasks = [
    { id: 'a', status: 'todo', ownerRole: 'dpo', assigneeUserId: null },
    { id: 'b', status: 'done', ownerRole: 'dpo', assigneeUserId: null },
    { id: 'c', status: 'in_progress', ownerRole: 'rssi', assigneeUserId: 'u-karim' },
    { id: 'd', status: 'todo', ownerRole: 'dpo', assigneeUserId: 'u-sophie' },
    { id: 'e', status: 'not_applicable', ownerRole: 'agent', assigneeUserId: null },
    { id: 'f', status: 'todo', ownerRole: 'elu', assigneeUserId: null },
  ] as const;
  const ids = (filter: 'all' | 'open' | 'mine') => filterTasks([...tasks], filter, me).map((x) => x.id);

  it('keeps everything, or what is still open', () => {
    expect(ids('all')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(ids('open')).toEqual(['a', 'c', 'd', 'f']);
  });

  it("shows me what is assigned to me and what my role owns unless someone else was named", () => {
    expect(ids('mine')).toEqual(['a', 'c']);
  });
});

describe('notification status in the register', () => {
  const pd = { involved: true, categories: [], sensitive: false, minors: false };
  it('says whether and when the CNIL was notified, in Paris time', () => {
    expect(notificationStatus({ personalData: pd, clock: { deadline: '', state: 'notified_on_time', remainingMs: 1, notifiedAt: '2026-07-14T16:40:00Z' } })).toBe(
      'Notifiée dans les délais (14/07/2026 18:40)',
    );
    expect(notificationStatus({ personalData: pd, clock: { deadline: '', state: 'overdue', remainingMs: -1 } })).toBe('Pas encore notifiée');
    expect(notificationStatus({ personalData: { ...pd, involved: false }, clock: { deadline: '', state: 'not_required', remainingMs: 1 } })).toBe(
      'Pas de notification requise (aucune donnée personnelle déclarée)',
    );
  });
});
