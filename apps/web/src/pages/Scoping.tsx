// Breach scoping of one extract: map the columns, run the analysis, see persons masked, review the
// uncertain pairs, send the figures to the CNIL dossier, and notify the persons.
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { t, type MessageKey } from '../i18n/index.ts';
import { Field, FormError, Loading, Notice, useLoad } from '../components/ui.tsx';

interface Issue { line?: number; field?: string; column?: string; message: string }
interface MappingPreview { ok: boolean; errors: Issue[]; columns: string[]; unmapped: string[]; rows: { line: number; values: Record<string, string>; other: string[]; issues: Issue[] }[] }
type Figures = Record<string, any> & { persons: number; persons_range: [number, number]; records: number; review_pairs: number; minors: number };
interface Run { id: string; status: string; perimeter: { since: string | null; until: string | null; modules: string[] | null }; notificationDate: string; figures: Figures | null; decisionsApplied: number; decisionsSinceRun: number; error: string | null; createdByName: string; createdAt: string; progress: { stage?: string; done?: number; total?: number } }
interface MaskedPerson { id: string; name: string; birthYear: string | null; phone: string | null; email: string | null; postcode: string | null; records: number; modules: string[]; roles: string[]; risks: string[]; minor: boolean }
interface StoredRecord { id: string; line: number; module: string; dossierId: string; dossierDate: string | null; role: string; fields: Record<string, string> }
interface Revealed { id: string; lastName: string; firstName: string; birthDate: string; email: string; phone: { e164: string } | null; postal: { address: string; postcode: string; city: string } | null; risks: { risk: string; reason: string }[]; records: StoredRecord[] }
interface Pair { a: string; b: string; probability: number; refused: string | null; attached?: string; evidence: { field: string; level: string; weight: number }[]; recordA: StoredRecord | null; recordB: StoredRecord | null; decision: { same: boolean; byName: string; at: string } | null }
type Channel = 'email' | 'sms';
interface ChannelFollowUp { planned: number | null; sent: number; failed: number; uncertain: number; pending: number | null; delivered: number; undelivered: number; late: number; awaiting: number; noReceipt: number; untracked: number }
/** The late-receipt listener, whichever server instance runs it; null without an SMS operator. */
interface ListenerView { account: string; state: 'connecting' | 'listening' | 'retrying' | 'stopped' | 'campaign'; since: string | null; error: string | null; stoppedBecause: 'nothing_awaited' | 'time_limit' | 'not_listening' | null; windowHours: number }
interface Campaigns {
  persons: number; channels: Record<Channel, ChannelFollowUp>; letters: { to_letter: number; to_sms: number; unreachable: number };
  awaitingReceipts: { total: number; items: { personRef: string; sentAt: string; until: string }[] };
  smsAvailable: boolean; emailAvailable: boolean; listener: ListenerView | null;
  campaigns: { id: string; dryRun: boolean; status: string; channels: Channel[]; includeMinors: boolean; counts: Record<string, number>; error: string | null; createdByName: string; createdAt: string }[];
}
const CHANNELS: Channel[] = ['email', 'sms'];
// The database gives counts back in its own key order: shown per channel, in the order of the campaign.
const COUNT_ORDER = [...CHANNELS.flatMap((c) => ['eligible', 'simulated', 'sent', 'failed', 'uncertain', 'skipped', 'parts', 'delivered', 'undelivered'].map((k) => `${c}_${k}`)), 'sent', 'simulated', 'failed', 'skipped', 'to_letter', 'to_sms', 'unreachable', 'minors_held'];
const rank = (k: string) => { const i = COUNT_ORDER.indexOf(k); return i < 0 ? COUNT_ORDER.length : i; };
// Counts are `email_sent`, `sms_parts`…: the channel's name, then what was counted.
const countLabel = (k: string) => {
  const m = /^(email|sms)_(\w+)$/.exec(k);
  return m ? `${t(`scoping.channel.${m[1]}` as MessageKey)} ${t(`scoping.count.${m[2]}` as MessageKey)}` : t(`scoping.count.${k}` as MessageKey);
};

const RISKS = ['phishing', 'identity_theft', 'burglary', 'retaliation', 'vehicle_fraud', 'sensitive'] as const;
const FIELDS = ['person.last_name', 'person.first_name', 'person.other_names', 'person.gender', 'person.birth_date', 'person.birth_place', 'person.occupation', 'person.phone', 'person.email', 'person.address', 'person.postcode', 'person.city', 'dossier.id', 'dossier.module', 'dossier.date', 'person.role'];
// The resolver's comparison names (packages/scoping FIELDS) → the canonical field shown in the row.
const EVIDENCE_FIELD: Record<string, string> = {
  last_name: 'person.last_name', first_name: 'person.first_name', birth_date: 'person.birth_date', phone: 'person.phone', email: 'person.email', address: 'person.address',
  birth_place: 'person.birth_place', gender: 'person.gender', occupation: 'person.occupation', other_names: 'person.other_names',
};
const risk = (r: string) => t(`scoping.risk.${r}` as MessageKey);
const nf = (n: number) => n.toLocaleString('fr-FR');

export function ScopingPanel({ base, datasetId, savedMapping, canWrite, canCnil, canSend, onMappingSaved }: { base: string; datasetId: string; savedMapping: string | null; canWrite: boolean; canCnil: boolean; canSend: boolean; onMappingSaved: () => void }) {
  const [runId, setRunId] = useState<string | null>(null);
  return (
    <div className="scoping">
      <MappingStep base={base} datasetId={datasetId} saved={savedMapping} canWrite={canWrite} onSaved={onMappingSaved} />
      {savedMapping && <RunsStep base={base} datasetId={datasetId} canWrite={canWrite} selected={runId} onSelect={setRunId} />}
      {runId && <RunDetail key={runId} base={base} runId={runId} canWrite={canWrite} canCnil={canCnil} canSend={canSend} />}
    </div>
  );
}

function MappingStep({ base, datasetId, saved, canWrite, onSaved }: { base: string; datasetId: string; saved: string | null; canWrite: boolean; onSaved: () => void }) {
  const url = `${base}/datasets/${datasetId}`;
  const [text, setText] = useState(saved ?? '');
  const [preview, setPreview] = useState<MappingPreview | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  useEffect(() => {
    if (saved) return;
    api<{ mapping: string }>('GET', `${url}/mapping/suggestion`).then((r) => setText(r.mapping), (e) => setError(e as ApiError));
  }, [url, saved]);
  const show = async () => {
    setError(null); setDone(false);
    try { setPreview(await api<MappingPreview>('POST', `${url}/mapping/preview`, { mapping: text })); } catch (e) { setError(e as ApiError); }
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null); setDone(false);
    try { await api('PUT', `${url}/mapping`, { mapping: text }); setDone(true); onSaved(); } catch (err) { setError(err as ApiError); }
  };
  const shown = preview ? FIELDS.filter((f) => preview.rows.some((r) => r.values[f] !== undefined)) : [];
  return (
    <section aria-labelledby={`map-${datasetId}`}>
      <h4 id={`map-${datasetId}`}>{t('scoping.mapping')}</h4>
      <p className="muted">{t('scoping.mappingIntro')}</p>
      <form onSubmit={save} noValidate>
        <FormError error={error} />
        {done && <Notice>{t('scoping.mappingSaved')}</Notice>}
        <Field label={t('scoping.mappingYaml')} error={error?.field('mapping')}>
          {(p) => <textarea {...p} className="code-input" rows={14} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <div className="actions">
          <button type="button" onClick={() => void show()}>{t('scoping.previewMapping')}</button>
          {canWrite && <button type="submit" className="primary">{t('scoping.saveMapping')}</button>}
        </div>
      </form>
      {preview && (
        <div className="mapping-preview">
          {preview.errors.length > 0 && (
            <div className={preview.ok ? 'alert alert-warn' : 'alert alert-error'} role="alert">
              <p>{preview.ok ? t('scoping.fileIssues') : t('scoping.mappingWrong')}</p>
              <ul>{preview.errors.map((e, i) => <li key={i}>{e.message}</li>)}</ul>
            </div>
          )}
          {preview.ok && (
            <>
              {preview.unmapped.length > 0 && <p>{t('scoping.unmapped', { columns: preview.unmapped.join(', ') })}</p>}
              <div className="table-wrap" tabIndex={0} role="region" aria-label={t('scoping.parsedValues')}>
                <table>
                  <caption>{t('scoping.parsedValues')}</caption>
                  <thead><tr><th scope="col">{t('scoping.line')}</th>{shown.map((f) => <th key={f} scope="col">{f}</th>)}<th scope="col">{t('scoping.problems')}</th></tr></thead>
                  <tbody>
                    {preview.rows.map((r) => (
                      <tr key={r.line} className={r.issues.length ? 'row-issue' : undefined}>
                        <th scope="row">{r.line}</th>
                        {shown.map((f) => <td key={f}>{r.values[f] ?? ''}</td>)}
                        <td>{r.issues.map((i, k) => <p key={k} className="error-text">{t('scoping.cellIssue', { column: i.column ?? i.field ?? '', message: i.message })}</p>)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </div>
      )}
    </section>
  );
}

function RunsStep({ base, datasetId, canWrite, selected, onSelect }: { base: string; datasetId: string; canWrite: boolean; selected: string | null; onSelect: (id: string) => void }) {
  const runs = useLoad(() => api<Run[]>('GET', `${base}/datasets/${datasetId}/runs`), [base, datasetId]);
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [modules, setModules] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const active = runs.data?.some((r) => r.status === 'queued' || r.status === 'running');
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(runs.reload, 1000);
    return () => clearInterval(timer);
  }, [active, runs.reload]);
  useEffect(() => {
    const done = runs.data?.find((r) => r.status === 'done');
    if (done && !selected) onSelect(done.id);
  }, [runs.data, selected, onSelect]);
  const cancel = async (id: string) => {
    setError(null);
    try { await api('POST', `${base}/scoping/runs/${id}/cancel`); runs.reload(); } catch (err) { setError(err as ApiError); }
  };
  const start = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const list = modules.split(',').map((m) => m.trim()).filter(Boolean);
    try {
      await api('POST', `${base}/datasets/${datasetId}/runs`, { ...(since && { since }), ...(until && { until }), ...(list.length && { modules: list }) });
      runs.reload();
    } catch (err) { setError(err as ApiError); }
  };
  return (
    <section aria-labelledby={`runs-${datasetId}`}>
      <h4 id={`runs-${datasetId}`}>{t('scoping.runs')}</h4>
      {canWrite && (
        <form onSubmit={start} noValidate className="filters">
          <FormError error={error} />
          <Field label={t('scoping.since')} error={error?.field('since')}>{(p) => <input {...p} type="date" value={since} onChange={(e) => setSince(e.target.value)} />}</Field>
          <Field label={t('scoping.until')} error={error?.field('until')}>{(p) => <input {...p} type="date" value={until} onChange={(e) => setUntil(e.target.value)} />}</Field>
          <Field label={t('scoping.modules')} hint={t('scoping.modulesHint')} error={error?.field('modules')}>{(p) => <input {...p} value={modules} onChange={(e) => setModules(e.target.value)} />}</Field>
          <div><button type="submit" className="primary">{t('scoping.start')}</button></div>
        </form>
      )}
      {!runs.data ? <Loading error={runs.error} /> : runs.data.length === 0 ? <p>{t('scoping.noRun')}</p> : (
        <ul className="run-list">
          {runs.data.map((r) => (
            <li key={r.id}>
              <span>{formatDateTime(r.createdAt)} — {r.createdByName} — <strong>{t(`scoping.status.${r.status}` as MessageKey)}</strong></span>
              {(r.status === 'queued' || r.status === 'running') && (
                <span role="status"> {r.progress.stage ?? ''} {r.progress.done !== undefined && <progress max={r.progress.total ?? undefined} value={r.progress.total ? r.progress.done : undefined} aria-label={t('scoping.progress')} />} {r.progress.done !== undefined ? nf(r.progress.done) : ''}</span>
              )}
              {canWrite && (r.status === 'queued' || r.status === 'running') && <button type="button" className="link-button inline" onClick={() => void cancel(r.id)}>{t('scoping.cancel')}</button>}
              {r.figures && <span> — {t('scoping.personsRange', { persons: nf(r.figures.persons), lo: nf(r.figures.persons_range[0]), hi: nf(r.figures.persons_range[1]) })}</span>}
              {r.error && <p className="error-text">{r.error}</p>}
              {r.status === 'done' && <button type="button" className="link-button inline" aria-pressed={selected === r.id} onClick={() => onSelect(r.id)}>{t('scoping.open')}</button>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function RunDetail({ base, runId, canWrite, canCnil, canSend }: { base: string; runId: string; canWrite: boolean; canCnil: boolean; canSend: boolean }) {
  const url = `${base}/scoping/runs/${runId}`;
  const run = useLoad(() => api<Run>('GET', url), [url]);
  if (!run.data) return <Loading error={run.error} />;
  const f = run.data.figures;
  if (!f) return null;
  return (
    <div className="run-detail">
      <h4>{t('scoping.figures')}</h4>
      <dl className="facts">
        <dt>{t('scoping.persons')}</dt><dd>{t('scoping.personsRange', { persons: nf(f.persons), lo: nf(f.persons_range[0]), hi: nf(f.persons_range[1]) })}</dd>
        <dt>{t('scoping.records')}</dt><dd>{nf(f.records)} ({t('scoping.rejected', { n: nf(Number(f.rejected_rows ?? 0)) })})</dd>
        <dt>{t('scoping.minors')}</dt><dd>{nf(f.minors)}</dd>
        <dt>{t('scoping.reviewLeft')}</dt><dd>{t('scoping.reviewCount', { n: nf(f.review_pairs), decided: nf(run.data.decisionsSinceRun) })}</dd>
        <dt>{t('scoping.byRisk')}</dt><dd>{Object.entries(f.by_risk ?? {}).map(([k, v]) => `${risk(k)} : ${nf(Number(v))}`).join(' · ') || '—'}</dd>
        <dt>{t('scoping.reachable')}</dt><dd>{t('scoping.reachableLine', { sms: nf(f.reachable?.sms ?? 0), email: nf(f.reachable?.email ?? 0), postal: nf(f.reachable?.postal ?? 0), none: nf(f.reachable?.none ?? 0) })}</dd>
      </dl>
      <PersonsStep url={url} modules={Object.keys(f.records_by_module ?? {})} />
      <ReviewStep url={url} canWrite={canWrite} />
      {canCnil && <CnilStep url={url} />}
      <CampaignStep url={url} canSend={canSend} />
    </div>
  );
}

function PersonsStep({ url, modules }: { url: string; modules: string[] }) {
  const [filter, setFilter] = useState({ risk: '', module: '', minor: false });
  const [page, setPage] = useState(1);
  const query = new URLSearchParams({ ...(filter.risk && { risk: filter.risk }), ...(filter.module && { module: filter.module }), ...(filter.minor && { minor: 'true' }), page: String(page) });
  const list = useLoad(() => api<{ total: number; page: number; pageSize: number; persons: MaskedPerson[] }>('GET', `${url}/persons?${query}`), [url, query.toString()]);
  const [revealed, setRevealed] = useState<Record<string, Revealed>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const reveal = async (id: string) => {
    setError(null);
    try { const p = await api<Revealed>('GET', `${url}/persons/${id}`); setRevealed((r) => ({ ...r, [id]: p })); } catch (e) { setError(e as ApiError); }
  };
  return (
    <section aria-labelledby="persons-h">
      <h4 id="persons-h">{t('scoping.personsTitle')}</h4>
      <p className="muted">{t('scoping.maskedIntro')}</p>
      <div className="filters">
        <Field label={t('scoping.filterRisk')}>{(p) => (
          <select {...p} value={filter.risk} onChange={(e) => { setPage(1); setFilter({ ...filter, risk: e.target.value }); }}>
            <option value="">{t('scoping.all')}</option>{RISKS.map((r) => <option key={r} value={r}>{risk(r)}</option>)}
          </select>)}</Field>
        <Field label={t('scoping.filterModule')}>{(p) => (
          <select {...p} value={filter.module} onChange={(e) => { setPage(1); setFilter({ ...filter, module: e.target.value }); }}>
            <option value="">{t('scoping.all')}</option>{modules.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>)}</Field>
        <label className="check"><input type="checkbox" checked={filter.minor} onChange={(e) => { setPage(1); setFilter({ ...filter, minor: e.target.checked }); }} /> {t('scoping.onlyMinors')}</label>
      </div>
      <FormError error={error} />
      {!list.data ? <Loading error={list.error} /> : (
        <>
          <p role="status">{t('scoping.personsCount', { n: nf(list.data.total) })}</p>
          <div className="table-wrap" tabIndex={0} role="region" aria-label={t('scoping.personsTable')}>
            <table>
              <thead><tr><th scope="col">{t('scoping.ref')}</th><th scope="col">{t('scoping.name')}</th><th scope="col">{t('scoping.birthYear')}</th><th scope="col">{t('scoping.contact')}</th><th scope="col">{t('scoping.risks')}</th><th scope="col"><span className="visually-hidden">{t('scoping.reveal')}</span></th></tr></thead>
              <tbody>
                {list.data.persons.map((p) => {
                  const full = revealed[p.id];
                  return (
                    <tr key={p.id}>
                      <th scope="row">{p.id}{p.minor && <span className="tag"> {t('scoping.minor')}</span>}</th>
                      <td>{full ? `${full.lastName} ${full.firstName}` : p.name}</td>
                      <td>{full ? full.birthDate : p.birthYear ?? '—'}</td>
                      <td>{full ? [full.phone?.e164, full.email, full.postal && `${full.postal.address}, ${full.postal.postcode} ${full.postal.city}`].filter(Boolean).join(' · ') : [p.phone, p.email, p.postcode].filter(Boolean).join(' · ')}</td>
                      <td>{p.risks.map(risk).join(', ') || '—'}</td>
                      <td>{full ? <span className="muted">{t('scoping.revealedAudited')}</span> : <button type="button" onClick={() => void reveal(p.id)}>{t('scoping.reveal')}<span className="visually-hidden"> {p.id}</span></button>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="actions">
            {page > 1 && <button type="button" onClick={() => setPage(page - 1)}>{t('scoping.previous')}</button>}
            {page * list.data.pageSize < list.data.total && <button type="button" onClick={() => setPage(page + 1)}>{t('scoping.next')}</button>}
          </div>
        </>
      )}
    </section>
  );
}

function ReviewStep({ url, canWrite }: { url: string; canWrite: boolean }) {
  const [page, setPage] = useState(1);
  const review = useLoad(() => api<{ total: number; remaining: number; pageSize: number; pairs: Pair[] }>('GET', `${url}/review?page=${page}`), [url, page]);
  const [error, setError] = useState<ApiError | null>(null);
  const decide = async (p: Pair, same: boolean) => {
    setError(null);
    try { await api('POST', `${url}/decisions`, { a: p.a, b: p.b, same }); review.reload(); } catch (e) { setError(e as ApiError); }
  };
  return (
    <section aria-labelledby="review-h">
      <h4 id="review-h">{t('scoping.review')}</h4>
      <FormError error={error} />
      {!review.data ? <Loading error={review.error} /> : (
        <>
          <p role="status">{t('scoping.reviewRemaining', { n: nf(review.data.remaining), total: nf(review.data.total) })}</p>
          <ol className="review-list">
            {review.data.pairs.map((p) => {
              const weightOf = (field: string) => p.evidence.find((e) => EVIDENCE_FIELD[e.field] === field);
              return (
                <li key={`${p.a}-${p.b}`} className="card">
                  <p>{t('scoping.probability', { p: (p.probability * 100).toFixed(0) })}{p.refused && <> — {t('scoping.refused', { reason: p.refused })}</>}{p.attached && <> — {t('scoping.attached', { reason: p.attached })}</>}</p>
                  <div className="table-wrap">
                    <table>
                      <thead><tr><th scope="col">{t('scoping.field')}</th><th scope="col">{t('scoping.recordA', { id: p.a })}</th><th scope="col">{t('scoping.recordB', { id: p.b })}</th><th scope="col">{t('scoping.evidence')}</th></tr></thead>
                      <tbody>
                        {FIELDS.map((f) => {
                          const a = p.recordA?.fields[f] ?? '';
                          const b = p.recordB?.fields[f] ?? '';
                          if (!a && !b) return null;
                          const ev = weightOf(f);
                          const agree = a !== '' && a === b;
                          return (
                            <tr key={f} className={ev ? (ev.weight >= 0 ? 'agree' : 'disagree') : agree ? 'agree' : undefined}>
                              <th scope="row">{t(`scoping.f.${f}` as MessageKey)}</th><td>{a}</td><td>{b}</td>
                              <td>{ev ? `${ev.level} (${ev.weight >= 0 ? '+' : ''}${ev.weight})` : ''}</td>
                            </tr>
                          );
                        })}
                      </tbody>
                    </table>
                  </div>
                  {p.decision ? <p className="alert alert-ok">{t(p.decision.same ? 'scoping.decidedSame' : 'scoping.decidedDifferent', { name: p.decision.byName, at: formatDateTime(p.decision.at) })}</p> : canWrite && (
                    <div className="actions">
                      <button type="button" onClick={() => void decide(p, true)}>{t('scoping.same')}<span className="visually-hidden"> {p.a} / {p.b}</span></button>
                      <button type="button" onClick={() => void decide(p, false)}>{t('scoping.different')}<span className="visually-hidden"> {p.a} / {p.b}</span></button>
                    </div>
                  )}
                </li>
              );
            })}
          </ol>
          <div className="actions">
            {page > 1 && <button type="button" onClick={() => setPage(page - 1)}>{t('scoping.previous')}</button>}
            {page * review.data.pageSize < review.data.total && <button type="button" onClick={() => setPage(page + 1)}>{t('scoping.next')}</button>}
          </div>
        </>
      )}
    </section>
  );
}

interface Proposal { proposed: { persons: { approxCount: number; categories: string[]; minors: boolean }; records: { approxCount: number }; dataCategories: string[]; sensitiveData: string[]; range: [number, number] }; current: { persons: { approxCount?: number } | null; records: { approxCount?: number } | null; dataCategories: string[] | null } }

function CnilStep({ url }: { url: string }) {
  const [proposal, setProposal] = useState<Proposal | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const load = async () => {
    setError(null); setDone(false);
    try { setProposal(await api<Proposal>('GET', `${url}/cnil`)); } catch (e) { setError(e as ApiError); }
  };
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try { await api('POST', `${url}/cnil`, { confirm: confirmed }); setDone(true); } catch (err) { setError(err as ApiError); }
  };
  return (
    <section aria-labelledby="tocnil-h">
      <h4 id="tocnil-h">{t('scoping.toCnil')}</h4>
      <FormError error={error} />
      {!proposal ? <button type="button" onClick={() => void load()}>{t('scoping.prepareCnil')}</button> : (
        <form onSubmit={send} noValidate>
          <dl className="facts">
            <dt>{t('scoping.persons')}</dt><dd>{t('scoping.cnilPersons', { n: nf(proposal.proposed.persons.approxCount), lo: nf(proposal.proposed.range[0]), hi: nf(proposal.proposed.range[1]), before: proposal.current.persons?.approxCount !== undefined ? nf(proposal.current.persons.approxCount) : '—' })}</dd>
            <dt>{t('scoping.records')}</dt><dd>{nf(proposal.proposed.records.approxCount)}</dd>
            <dt>{t('scoping.personCategories')}</dt><dd>{proposal.proposed.persons.categories.join(' ; ')}</dd>
            <dt>{t('scoping.dataCategories')}</dt><dd>{proposal.proposed.dataCategories.join(' ; ')}</dd>
            <dt>{t('scoping.sensitive')}</dt><dd>{proposal.proposed.sensitiveData.join(' ; ') || '—'}</dd>
            <dt>{t('scoping.minors')}</dt><dd>{proposal.proposed.persons.minors ? t('scoping.yes') : t('scoping.no')}</dd>
          </dl>
          <label className="check"><input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} /> {t('scoping.confirmCnil')}</label>
          {done ? <Notice>{t('scoping.cnilDone')}</Notice> : <button type="submit" className="primary" disabled={!confirmed}>{t('scoping.sendCnil')}</button>}
        </form>
      )}
    </section>
  );
}

/** What the server's late-receipt listener does now, in one sentence (a status region: it changes while the page is open). */
function ListenerStatus({ listener: l }: { listener: ListenerView }) {
  const key = (l.state === 'stopped' ? `scoping.listener.stopped.${l.stoppedBecause ?? 'nothing_awaited'}` : `scoping.listener.${l.state}`) as MessageKey;
  return (
    <p role="status" className="hint listener-status" data-state={l.state}>
      {t(key, { account: l.account, since: formatDateTime(l.since), hours: nf(l.windowHours) })}
      {l.state === 'retrying' && l.error && <> {t('scoping.listener.error', { error: l.error })}</>}
    </p>
  );
}

function CampaignStep({ url, canSend }: { url: string; canSend: boolean }) {
  const state = useLoad(() => api<Campaigns>('GET', `${url}/campaigns`), [url]);
  const [perMinute, setPerMinute] = useState('60');
  const [channels, setChannels] = useState<Channel[]>(['email']);
  const [includeMinors, setIncludeMinors] = useState(false);
  const [retryUncertain, setRetryUncertain] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const active = state.data?.campaigns.some((c) => c.status === 'queued' || c.status === 'running');
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(state.reload, 1000);
    return () => clearInterval(timer);
  }, [active, state.reload]);
  const start = async (dryRun: boolean) => {
    setError(null);
    try { await api('POST', `${url}/campaigns`, { dryRun, perMinute: Number(perMinute), channels, includeMinors, retryUncertain }); state.reload(); } catch (e) { setError(e as ApiError); }
  };
  const cancel = async (id: string) => {
    setError(null);
    try { await api('POST', `${url}/campaigns/${id}/cancel`); state.reload(); } catch (e) { setError(e as ApiError); }
  };
  const toggle = (c: Channel, on: boolean) => setChannels((cs) => CHANNELS.filter((x) => (x === c ? on : cs.includes(x))));
  // The real campaign must be the one simulated: same channels, same choice about minors.
  const dryDone = state.data?.campaigns.some((c) => c.dryRun && c.status === 'done' && c.includeMinors === includeMinors && c.channels.length === channels.length && channels.every((x) => c.channels.includes(x)));
  const unavailable = state.data ? channels.filter((c) => (c === 'sms' ? !state.data!.smsAvailable : !state.data!.emailAvailable)) : [];
  const dash = (n: number | null) => (n === null ? '—' : nf(n));
  return (
    <section aria-labelledby="campaign-h">
      <h4 id="campaign-h">{t('scoping.campaign')}</h4>
      <ul className="downloads">
        <li><a href={`${url}/letters.pdf`} download>{t('scoping.letters')}</a></li>
        <li><a href={`${url}/sms.csv`} download>{t('scoping.sms')}</a></li>
      </ul>
      <FormError error={error} />
      {canSend && (
        <div className="filters">
          <fieldset>
            <legend>{t('scoping.channels')}</legend>
            {CHANNELS.map((c) => (
              <label key={c} className="check"><input type="checkbox" checked={channels.includes(c)} onChange={(e) => toggle(c, e.target.checked)} /> {t(`scoping.channel.${c}` as MessageKey)}</label>
            ))}
          </fieldset>
          <Field label={t('scoping.perMinute')} error={error?.field('perMinute')}>{(p) => <input {...p} inputMode="numeric" value={perMinute} onChange={(e) => setPerMinute(e.target.value)} />}</Field>
          <label className="check"><input type="checkbox" checked={includeMinors} onChange={(e) => setIncludeMinors(e.target.checked)} /> {t('scoping.includeMinors')}</label>
          <p className="hint">{t('scoping.minorsRule')}</p>
          {state.data && CHANNELS.some((c) => state.data!.channels[c].uncertain > 0) && <label className="check"><input type="checkbox" checked={retryUncertain} onChange={(e) => setRetryUncertain(e.target.checked)} /> {t('scoping.retryUncertain')}</label>}
          {unavailable.length > 0 && <p className="hint">{t('scoping.channelUnavailable', { channels: unavailable.map((c) => t(`scoping.channel.${c}` as MessageKey)).join(', ') })}</p>}
          <div className="actions">
            <button type="button" disabled={!channels.length} onClick={() => void start(true)}>{t('scoping.dryRun')}</button>
            <button type="button" className="primary" disabled={!dryDone || !channels.length || unavailable.length > 0} onClick={() => void start(false)}>{t('scoping.send')}</button>
          </div>
        </div>
      )}
      {!state.data ? <Loading error={state.error} /> : (
        <>
          <div className="table-wrap" tabIndex={0} role="region" aria-label={t('scoping.followUpByChannel')}>
          <table>
            <caption>{t('scoping.followUpByChannel')}</caption>
            <thead><tr><th scope="col">{t('scoping.channelCol')}</th><th scope="col">{t('scoping.planned')}</th><th scope="col">{t('scoping.col.sent')}</th><th scope="col">{t('scoping.col.failed')}</th><th scope="col">{t('scoping.col.uncertain')}</th><th scope="col">{t('scoping.pending')}</th><th scope="col">{t('scoping.col.delivered')}</th><th scope="col">{t('scoping.col.undelivered')}</th><th scope="col">{t('scoping.col.late')}</th><th scope="col">{t('scoping.col.awaiting')}</th><th scope="col">{t('scoping.col.noReceipt')}</th><th scope="col">{t('scoping.col.untracked')}</th></tr></thead>
            <tbody>
              {CHANNELS.map((c) => {
                const f = state.data!.channels[c];
                return <tr key={c}><th scope="row">{t(`scoping.channel.${c}` as MessageKey)}</th><td>{dash(f.planned)}</td><td>{nf(f.sent)}</td><td>{nf(f.failed)}</td><td>{nf(f.uncertain)}</td><td>{dash(f.pending)}</td>{[f.delivered, f.undelivered, f.late, f.awaiting, f.noReceipt, f.untracked].map((n, i) => <td key={i}>{c === 'sms' ? nf(n) : '—'}</td>)}</tr>;
              })}
            </tbody>
          </table>
          </div>
          <p className="hint">{t('scoping.emailNoReceipt')}</p>
          {state.data.channels.sms.untracked > 0 && <p className="hint">{t('scoping.untrackedHint', { n: nf(state.data.channels.sms.untracked) })}</p>}
          {state.data.listener && <ListenerStatus listener={state.data.listener} />}
          {state.data.awaitingReceipts.total > 0 && (
            <details className="awaiting-receipts">
              <summary>{t('scoping.awaitingReceipts', { n: nf(state.data.awaitingReceipts.total) })}</summary>
              <p className="hint">{t('scoping.awaitingHint')}</p>
              <div className="table-wrap" tabIndex={0} role="region" aria-label={t('scoping.awaitingCaption')}>
                <table>
                  <caption>{t('scoping.awaitingCaption')}</caption>
                  <thead><tr><th scope="col">{t('scoping.col.person')}</th><th scope="col">{t('scoping.col.sentAt')}</th><th scope="col">{t('scoping.col.awaitedUntil')}</th></tr></thead>
                  <tbody>
                    {state.data.awaitingReceipts.items.map((a) => <tr key={a.personRef}><th scope="row">{a.personRef}</th><td>{formatDateTime(a.sentAt)}</td><td>{formatDateTime(a.until)}</td></tr>)}
                  </tbody>
                </table>
              </div>
              {state.data.awaitingReceipts.total > state.data.awaitingReceipts.items.length && <p className="hint">{t('scoping.awaitingMore', { shown: nf(state.data.awaitingReceipts.items.length) })}</p>}
            </details>
          )}
          <p role="status">{t('scoping.followUp', { letter: nf(state.data.letters.to_letter), sms: nf(state.data.letters.to_sms), none: nf(state.data.letters.unreachable) })}</p>
          <ul>
            {state.data.campaigns.map((c) => (
              <li key={c.id}>{formatDateTime(c.createdAt)} — {c.createdByName} — {c.dryRun ? t('scoping.dryRun') : t('scoping.sendShort')} ({(c.channels ?? ['email']).map((x) => t(`scoping.channel.${x}` as MessageKey)).join(' + ')}{c.includeMinors ? `, ${t('scoping.withMinors')}` : ''}) — {t(`scoping.status.${c.status}` as MessageKey)} — {Object.entries(c.counts).filter(([, v]) => v).sort(([a], [b]) => rank(a) - rank(b)).map(([k, v]) => `${countLabel(k)} ${nf(v)}`).join(', ')}{c.error && <span className="error-text"> {c.error}</span>}{canSend && (c.status === 'queued' || c.status === 'running') && <button type="button" className="link-button inline" onClick={() => void cancel(c.id)}>{t('scoping.cancel')}</button>}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
