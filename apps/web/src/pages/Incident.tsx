import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, orgUrl } from '../api.ts';
import { formatDateTime, isoToLocalInput, localInputToIso } from '../format.ts';
import { t, type MessageKey } from '../i18n/index.ts';
import { allowed, useSession } from '../session.ts';
import { ClockBadge, Field, FormError, Loading, Notice, useLoad } from '../components/ui.tsx';
import { ROLES, type Incident, type JournalEntry, type Task } from '../types.ts';
import { CnilSection } from './Cnil.tsx';
import { filterTasks, type TaskFilter } from '../incident-logic.ts';
import { NoticeSection, RegisterSection } from './Notification.tsx';
import { IncidentForm } from './Incidents.tsx';
import { EvidenceSection } from './Evidence.tsx';
import { DatasetsSection } from './Datasets.tsx';
import { ForensicsSection } from './Forensics.tsx';

export function IncidentPage({ orgId, incidentId }: { orgId: string; incidentId: string }) {
  const { membership, session } = useSession();
  const me = membership(orgId);
  const base = orgUrl(orgId, `/incidents/${incidentId}`);
  const incident = useLoad(() => api<Incident>('GET', base), [base]);
  // A log analysis adds tasks, journal entries and pieces: those sections reload when it does.
  const [version, setVersion] = useState(0);
  // Only roles that may list the members can pick a person; the others assign by role.
  const canListUsers = allowed(me, 'usersRead');
  const users = useLoad(
    () => (canListUsers ? api<{ userId: string; name: string; disabled: boolean }[]>('GET', orgUrl(orgId, '/users')) : Promise.resolve([])),
    [orgId, canListUsers],
  );
  const heading = incident.data ? `${incident.data.reference} — ${incident.data.title}` : null;
  useEffect(() => {
    if (heading && me) document.title = `${heading} — ${me.organisationName} — ${t('app.name')}`;
  }, [heading, me]);
  // Arriving from a link such as "…/incidents/x#taches": the sections load one by one and push each
  // other down, so the target is brought into view once the page is there and again a moment later.
  const loaded = !!incident.data;
  useEffect(() => {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!loaded || !id) return;
    const bring = () => document.getElementById(id)?.scrollIntoView();
    bring();
    const later = setTimeout(bring, 500);
    return () => clearTimeout(later);
  }, [loaded]);
  if (!incident.data) return <Loading error={incident.error} onRetry={incident.reload} />;
  const i = incident.data;
  const sections: [string, string, boolean][] = [
    ['synthese', t('incident.summary'), true],
    ['journal', t('incident.journal'), true],
    ['taches', t('incident.tasks'), true],
    ['cnil', t('incident.cnil'), allowed(me, 'cnilRead')],
    ['registre', t('incident.register'), allowed(me, 'registerRead')],
    ['note', t('incident.notice'), true],
    ['preuves', t('evidence.title'), allowed(me, 'evidenceRead')],
    ['extraits', t('datasets.title'), allowed(me, 'datasets') && i.personalData.involved],
    ['journaux', t('incident.forensics'), allowed(me, 'forensicsRead')],
    ['documents', t('incident.documents'), true],
  ];
  return (
    <>
      <div className="page-head">
        <h1>{i.reference} — {i.title}</h1>
      </div>
      <div className="sticky-clock"><ClockBadge clock={i.clock} fetchedAt={incident.loadedAt} /></div>
      <nav aria-label={t('incident.tabs')} className="subnav">
        <ul>{sections.filter((s) => s[2]).map(([id, label]) => <li key={id}><a href={`#${id}`}>{label}</a></li>)}</ul>
      </nav>
      <Summary orgId={orgId} incident={i} base={base} canWrite={allowed(me, 'incident')} onChange={incident.reload} />
      <Journal key={`journal-${version}`} base={base} canWrite={allowed(me, 'journal')} />
      <Tasks key={`tasks-${version}`} base={base} canWrite={allowed(me, 'task')} users={(users.data ?? []).filter((u) => !u.disabled)} me={{ role: me?.role ?? '', userId: session.user.id }} />
      {allowed(me, 'cnilRead') && <CnilSection base={base} canWrite={allowed(me, 'cnil')} onSubmitted={incident.reload} />}
      {allowed(me, 'registerRead') && <RegisterSection base={base} canWrite={allowed(me, 'register')} />}
      <NoticeSection base={base} canWrite={allowed(me, 'notice')} />
      {allowed(me, 'datasets') && i.personalData.involved && <DatasetsSection base={base} canCnil={allowed(me, 'cnil')} canSend={allowed(me, 'notificationSend')} />}
      {allowed(me, 'evidenceRead') && <EvidenceSection key={`evidence-${version}`} base={base} canWrite={allowed(me, 'evidence')} />}
      {allowed(me, 'forensicsRead') && <ForensicsSection base={base} orgId={orgId} canWrite={allowed(me, 'forensics')} onChange={() => setVersion((v) => v + 1)} />}
      <section id="documents" aria-labelledby="documents-h">
        <h2 id="documents-h">{t('incident.documents')}</h2>
        <ul className="downloads">
          {allowed(me, 'cnilRead') && <li><a href={`${base}/cnil.pdf`} download>{t('docs.cnilPdf')}</a></li>}
          {allowed(me, 'cnilRead') && <li><a href={`${base}/cnil.json`} download>{t('docs.cnilJson')}</a></li>}
          <li><a href={`${base}/notice.pdf`} download>{t('docs.noticePdf')}</a></li>
        </ul>
      </section>
    </>
  );
}

function Summary({ orgId, incident: i, base, canWrite, onChange }: { orgId: string; incident: Incident; base: string; canWrite: boolean; onChange: () => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState(false);
  const setStatus = async (status: string) => {
    try {
      await api('PATCH', base, { status, ...(status === 'closed' && !i.endedAt ? { endedAt: new Date().toISOString() } : {}) });
      onChange();
    } catch (e) {
      setError(e as ApiError);
    }
  };
  return (
    <section id="synthese" aria-labelledby="synthese-h">
      <h2 id="synthese-h">{t('incident.summary')}</h2>
      <FormError error={error} />
      <dl className="facts">
        <dt>{t('declare.type')}</dt><dd>{t(`type.${i.type}` as never)}</dd>
        <dt>{t('incidents.status')}</dt>
        <dd>
          {t(`status.${i.status}` as never)}
          {canWrite && (
            <label className="inline">
              <span className="visually-hidden">{t('incident.statusChange')}</span>
              <select aria-label={t('incident.statusChange')} value={i.status} onChange={(e) => void setStatus(e.target.value)}>
                {(['open', 'contained', 'closed'] as const).map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
              </select>
            </label>
          )}
        </dd>
        <dt>{t('incidents.awareAt')}</dt><dd>{formatDateTime(i.awareAt)}</dd>
        {i.startedAt && (<><dt>{t('declare.startedAt')}</dt><dd>{formatDateTime(i.startedAt)}</dd></>)}
        <dt>{t('incident.detectedHow')}</dt><dd>{i.detectedHow || '—'}</dd>
        <dt>{t('incident.systems')}</dt><dd>{i.affectedSystems.join(' ; ') || '—'}</dd>
        <dt>{t('incident.services')}</dt><dd>{i.affectedServices.join(' ; ') || '—'}</dd>
        <dt>{t('incident.personalData')}</dt>
        <dd>
          {i.personalData.involved
            ? `${i.personalData.categories.join(', ')}${i.personalData.approxPersons != null ? ` — ${t('incident.persons', { n: i.personalData.approxPersons.toLocaleString('fr-FR') })}` : ''}`
            : t('incident.noPersonalData')}
        </dd>
        {i.provider && (<><dt>{t('declare.provider')}</dt><dd>{i.provider}</dd></>)}
        {i.endedAt && (<><dt>{t('declare.endedAt')}</dt><dd>{formatDateTime(i.endedAt)}</dd></>)}
      </dl>
      {canWrite && !editing && (
        <p><button type="button" onClick={() => setEditing(true)}>{t('incident.edit')}</button></p>
      )}
      {editing && (
        <IncidentForm orgId={orgId} incident={i} onCancel={() => setEditing(false)} onDone={() => { setEditing(false); onChange(); }} />
      )}
    </section>
  );
}

function Journal({ base, canWrite }: { base: string; canWrite: boolean }) {
  const journal = useLoad(() => api<JournalEntry[]>('GET', `${base}/journal`), [base]);
  const [kind, setKind] = useState<'fact' | 'decision' | 'communication'>('fact');
  const [text, setText] = useState('');
  const [occurredAt, setOccurredAt] = useState('');
  const [correcting, setCorrecting] = useState<JournalEntry | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [added, setAdded] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setAdded(false);
    try {
      await api('POST', `${base}/journal`, {
        kind: correcting ? 'correction' : kind, text, occurredAt: localInputToIso(occurredAt), correctsId: correcting?.id,
      });
      setText('');
      setOccurredAt('');
      setCorrecting(null);
      setAdded(true);
      journal.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const entries = journal.data ?? [];
  const correctedBy = new Map(entries.filter((x) => x.correctsId).map((x) => [x.correctsId!, x.id]));
  return (
    <section id="journal" aria-labelledby="journal-h">
      <h2 id="journal-h">{t('incident.journal')}</h2>
      {!journal.data ? <Loading error={journal.error} /> : entries.length === 0 ? <p>{t('journal.empty')}</p> : (
        <ol className="timeline">
          {entries.map((entry) => (
            <li key={entry.id} className={`timeline-item kind-${entry.kind}`} id={`entree-${entry.id}`}>
              <p className="timeline-meta">
                <time dateTime={entry.occurredAt}>{formatDateTime(entry.occurredAt)}</time> — <strong>{t(`journal.kind.${entry.kind}`)}</strong> — {entry.authorName}
                {entry.correctsId && <> — <a href={`#entree-${entry.correctsId}`}>{t('journal.corrects')}</a></>}
              </p>
              <p className="timeline-text">{entry.text}</p>
              {correctedBy.has(entry.id) && (
                <p className="timeline-meta"><a href={`#entree-${correctedBy.get(entry.id)}`}>{t('journal.correctedBy')}</a></p>
              )}
              {canWrite && entry.kind !== 'correction' && (
                <button type="button" className="link-button" onClick={() => setCorrecting(entry)}>
                  {t('journal.correct')}<span className="visually-hidden"> : {t('journal.correctWhich', { date: formatDateTime(entry.occurredAt), author: entry.authorName })}</span>
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      {canWrite && (
        <form onSubmit={submit} noValidate className="form compact">
          <FormError error={error} labels={{ text: t('journal.text'), occurredAt: t('journal.occurredAt'), kind: t('journal.kind'), correctsId: t('journal.kind.correction') }} />
          {added && <Notice>{t('journal.added')}</Notice>}
          {correcting ? (
            <p className="alert alert-info">
              {t('journal.correcting', { date: formatDateTime(correcting.occurredAt) })}{' '}
              <button type="button" className="link-button" onClick={() => setCorrecting(null)}>{t('journal.cancel')}</button>
            </p>
          ) : (
            <Field label={t('journal.kind')}>
              {(p) => (
                <select {...p} value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
                  {(['fact', 'decision', 'communication'] as const).map((k) => <option key={k} value={k}>{t(`journal.kind.${k}`)}</option>)}
                </select>
              )}
            </Field>
          )}
          <Field label={t('journal.text')} error={error?.field('text')} required>
            {(p) => <textarea {...p} rows={3} value={text} onChange={(e) => setText(e.target.value)} />}
          </Field>
          <Field label={t('journal.occurredAt')} error={error?.field('occurredAt')}>
            {(p) => <input {...p} type="datetime-local" value={occurredAt} onChange={(e) => setOccurredAt(e.target.value)} />}
          </Field>
          <button type="submit" className="primary">{t('journal.add')}</button>
        </form>
      )}
    </section>
  );
}

interface TasksProps {
  base: string;
  canWrite: boolean;
  users: { userId: string; name: string }[];
  me: { role: string; userId: string };
}

function Tasks({ base, canWrite, users, me }: TasksProps) {
  const tasks = useLoad(() => api<Task[]>('GET', `${base}/tasks`), [base]);
  const [filter, setFilter] = useState<TaskFilter>('all');
  const [error, setError] = useState<ApiError | null>(null);
  const [naFor, setNaFor] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [newTask, setNewTask] = useState({ title: '', ownerRole: 'dgs', dueAt: isoToLocalInput(new Date(Date.now() + 4 * 3_600_000).toISOString()) });
  const patch = async (task: Task, body: Record<string, unknown>) => {
    setError(null);
    try {
      await api('PATCH', `${base}/tasks/${task.id}`, body);
      setNaFor(null);
      setReason('');
      tasks.reload();
    } catch (e) {
      setError(e as ApiError);
    }
  };
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', `${base}/tasks`, { title: newTask.title, ownerRole: newTask.ownerRole, dueAt: localInputToIso(newTask.dueAt) });
      setNewTask({ ...newTask, title: '' });
      tasks.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  if (!tasks.data) return <section id="taches"><h2>{t('incident.tasks')}</h2><Loading error={tasks.error} /></section>;
  const all = tasks.data;
  const shown = filterTasks(all, filter, me);
  const assigneeName = (task: Task) => (task.assigneeUserId ? users.find((u) => u.userId === task.assigneeUserId)?.name : undefined);
  const handled = all.filter((x) => x.status === 'done' || x.status === 'not_applicable').length;
  const now = Date.now();
  return (
    <section id="taches" aria-labelledby="taches-h">
      <h2 id="taches-h">{t('incident.tasks')}</h2>
      <p className="tasks-progress">
        <progress max={all.length} value={handled} aria-label={t('tasks.progress', { done: handled, total: all.length })} />{' '}
        {t('tasks.progress', { done: handled, total: all.length })}
      </p>
      <FormError error={error} labels={{ title: t('tasks.title'), dueAt: t('tasks.dueAt'), ownerRole: t('tasks.owner'), notApplicableReason: t('tasks.reason'), assigneeUserId: t('tasks.assignee') }} />
      <div className="tasks-filter">
      <Field label={t('tasks.show')}>
        {(p) => (
          <select {...p} value={filter} onChange={(e) => setFilter(e.target.value as TaskFilter)}>
            <option value="all">{t('tasks.show.all')}</option>
            <option value="open">{t('tasks.show.open')}</option>
            <option value="mine">{t('tasks.show.mine', { role: t(`role.${me.role}` as MessageKey) })}</option>
          </select>
        )}
      </Field>
      </div>
      {shown.length < all.length && <p className="muted" role="status">{t('tasks.hidden', { n: all.length - shown.length })}</p>}
      {(['first_hour', 'first_day', 'first_week'] as const).map((phase) => {
        const list = shown.filter((x) => x.phase === phase);
        if (list.length === 0) return null;
        return (
          <div key={phase}>
            <h3>{t(`tasks.phase.${phase}`)}</h3>
            <ul className="tasks">
              {list.map((task) => {
                const closed = task.status === 'done' || task.status === 'not_applicable';
                const late = !closed && new Date(task.dueAt).getTime() < now;
                return (
                  <li key={task.id} className={`task status-${task.status}${late ? ' late' : ''}`}>
                    <div className="task-head">
                      <span className="task-status">{t(`tasks.status.${task.status}`)}{late && ` — ${t('tasks.overdue')}`}</span>
                      <strong className="task-title">{task.title}</strong>
                    </div>
                    <p className="task-desc">{task.description}</p>
                    <p className="muted">
                      {t('tasks.due', { date: formatDateTime(task.dueAt) })} — {t('tasks.owner')} : {t(`role.${task.ownerRole}` as never)}
                      {task.status === 'done' && task.doneByName && <> — {t('tasks.doneBy', { name: task.doneByName, date: formatDateTime(task.doneAt) })}</>}
                      {task.status === 'not_applicable' && <> — {t('tasks.naBy', { reason: task.notApplicableReason ?? '' })}</>}
                      {assigneeName(task) && <> — {t('tasks.assignedTo', { name: assigneeName(task)! })}</>}
                    </p>
                    {canWrite && (
                      <div className="task-actions">
                        {closed ? (
                          <button type="button" onClick={() => void patch(task, { status: 'todo' })}>{t('tasks.reopen')} <span className="visually-hidden">: {task.title}</span></button>
                        ) : (
                          <>
                            <button type="button" className="primary" onClick={() => void patch(task, { status: 'done' })}>
                              {t('tasks.markDone')}<span className="visually-hidden"> : {task.title}</span>
                            </button>
                            {task.status === 'todo' && (
                              <button type="button" onClick={() => void patch(task, { status: 'in_progress' })}>
                                {t('tasks.start')}<span className="visually-hidden"> : {task.title}</span>
                              </button>
                            )}
                            <button type="button" onClick={() => setNaFor(naFor === task.id ? null : task.id)} aria-expanded={naFor === task.id}>
                              {t('tasks.notApplicable')}<span className="visually-hidden"> : {task.title}</span>
                            </button>
                            <label className="inline">
                              <span className="small-label">{t('tasks.owner')}</span>
                              <select aria-label={`${t('tasks.owner')} : ${task.title}`} value={task.ownerRole} onChange={(e) => void patch(task, { ownerRole: e.target.value })}>
                                {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
                              </select>
                            </label>
                            {users.length > 0 && (
                              <label className="inline">
                                <span className="small-label">{t('tasks.assignee')}</span>
                                <select aria-label={`${t('tasks.assignee')} : ${task.title}`} value={task.assigneeUserId ?? ''} onChange={(e) => void patch(task, { assigneeUserId: e.target.value || null })}>
                                  <option value="">{t('tasks.nobody')}</option>
                                  {users.map((u) => <option key={u.userId} value={u.userId}>{u.name}</option>)}
                                </select>
                              </label>
                            )}
                          </>
                        )}
                      </div>
                    )}
                    {naFor === task.id && (
                      <form className="inline-form" onSubmit={(e) => { e.preventDefault(); void patch(task, { status: 'not_applicable', notApplicableReason: reason }); }}>
                        <Field label={t('tasks.reason')} error={error?.field('notApplicableReason')} required>
                          {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
                        </Field>
                        <button type="submit">{t('tasks.confirmNa')}</button>
                      </form>
                    )}
                  </li>
                );
              })}
            </ul>
          </div>
        );
      })}
      {canWrite && (
        <form onSubmit={add} noValidate className="form compact">
          <h3>{t('tasks.add')}</h3>
          <Field label={t('tasks.title')} error={error?.field('title')} required>
            {(p) => <input {...p} value={newTask.title} onChange={(e) => setNewTask({ ...newTask, title: e.target.value })} />}
          </Field>
          <Field label={t('tasks.owner')}>
            {(p) => (
              <select {...p} value={newTask.ownerRole} onChange={(e) => setNewTask({ ...newTask, ownerRole: e.target.value })}>
                {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
              </select>
            )}
          </Field>
          <Field label={t('tasks.dueAt')} error={error?.field('dueAt')} required>
            {(p) => <input {...p} type="datetime-local" value={newTask.dueAt} onChange={(e) => setNewTask({ ...newTask, dueAt: e.target.value })} />}
          </Field>
          <button type="submit">{t('tasks.add')}</button>
        </form>
      )}
    </section>
  );
}
