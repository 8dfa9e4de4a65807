// Small rules about incidents that pages share and tests pin down without a browser.
import { formatDateTime } from './format.ts';
import { t, type MessageKey } from './i18n/index.ts';
import type { Incident, Task } from './types.ts';

export type TaskFilter = 'all' | 'open' | 'mine';

/** Which tasks a filter keeps: "mine" is what my role owns or what is assigned to me, still to do. */
export function filterTasks<T extends Pick<Task, 'status' | 'ownerRole' | 'assigneeUserId'>>(tasks: T[], filter: TaskFilter, me: { role: string; userId: string }): T[] {
  const open = (x: T) => x.status === 'todo' || x.status === 'in_progress';
  if (filter === 'open') return tasks.filter(open);
  if (filter === 'mine') return tasks.filter((x) => open(x) && (x.assigneeUserId === me.userId || (!x.assigneeUserId && x.ownerRole === me.role)));
  return tasks;
}

/** Where the CNIL notification of an incident stands, in words. */
export function notificationStatus(incident: Pick<Incident, 'clock' | 'personalData'>): string {
  const { clock } = incident;
  if (clock.state === 'notified_on_time' || clock.state === 'notified_late') {
    return t(`register.status.${clock.state}` as MessageKey, { date: formatDateTime(clock.notifiedAt) });
  }
  if (clock.state === 'not_required' || !incident.personalData.involved) return t('register.status.not_required');
  return t('register.status.pending');
}
