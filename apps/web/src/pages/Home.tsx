import { api, orgUrl } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { t } from '../i18n/index.ts';
import { Link } from '../router.tsx';
import { allowed, useSession } from '../session.ts';
import { ClockBadge, Loading, useLoad } from '../components/ui.tsx';
import type { Incident, Task } from '../types.ts';

export function HomePage({ orgId }: { orgId: string }) {
  const { membership } = useSession();
  const { data, error, reload, loadedAt } = useLoad(
    () => api<{ openIncidents: Incident[]; overdueTasks: Task[]; tasksDueToday: Task[] }>('GET', orgUrl(orgId, '/dashboard')),
    [orgId],
  );
  if (!data) return <Loading error={error} onRetry={reload} />;
  const taskList = (tasks: Task[]) =>
    tasks.length === 0 ? (
      <p>{t('home.noTask')}</p>
    ) : (
      <ul className="task-list">
        {tasks.map((task) => (
          <li key={task.id}>
            <Link href={`/o/${orgId}/incidents/${task.incidentId}#taches`}>{task.title}</Link>
            <span className="muted"> — {task.incidentReference} — {t('tasks.due', { date: formatDateTime(task.dueAt) })} — {t(`role.${task.ownerRole}` as never)}</span>
          </li>
        ))}
      </ul>
    );
  return (
    <>
      <div className="page-head">
        <h1>{t('home.title')}</h1>
        {allowed(membership(orgId), 'incident') && <Link href={`/o/${orgId}/incidents/nouveau`} className="button primary">{t('home.declare')}</Link>}
      </div>
      <section aria-labelledby="open-incidents">
        <h2 id="open-incidents">{t('home.openIncidents')}</h2>
        {data.openIncidents.length === 0 ? (
          <p>{t('home.noIncident')}</p>
        ) : (
          <ul className="cards">
            {data.openIncidents.map((i) => (
              <li key={i.id} className="card">
                <h3><Link href={`/o/${orgId}/incidents/${i.id}`}>{i.reference} — {i.title}</Link></h3>
                <p className="muted">{t(`type.${i.type}` as never)} — {t(`status.${i.status}` as never)}</p>
                <ClockBadge clock={i.clock} fetchedAt={loadedAt} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <div className="columns">
        <section aria-labelledby="overdue">
          <h2 id="overdue">{t('home.overdue')} ({data.overdueTasks.length})</h2>
          {taskList(data.overdueTasks)}
        </section>
        <section aria-labelledby="today">
          <h2 id="today">{t('home.today')} ({data.tasksDueToday.length})</h2>
          {taskList(data.tasksDueToday)}
        </section>
      </div>
    </>
  );
}
