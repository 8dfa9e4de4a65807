// Audit-log analysis inside an incident: choose logs (evidence, upload or server folder), a mapping
// with a preview, run the scan in the background, read flagged accounts and act on them.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, apiUpload, ApiError, orgUrl } from '../api.ts';
import { formatDate, formatDateTime } from '../format.ts';
import { getLocale, t, type MessageKey } from '../i18n/index.ts';
import { Field, FormError, Loading, Notice, useLoad } from '../components/ui.tsx';

interface Piece { id: string; name: string; size: number; sha256: string; uploadedAt: string }
interface Preset { id: string; label: string; labelEn: string; text: string | null }
interface SavedMapping { id: string; name: string; text: string; updatedByName: string; updatedAt: string }
interface MappingIssue { line?: number; field?: string; message: string }
interface Preview {
  file: string; ok: boolean; columns: string[]; events: Record<string, string | number>[];
  rejected: { line: number | null; field: string | null; message: string }[]; errors: MappingIssue[]; linesRead: number;
}
type Severity = 'critical' | 'high' | 'medium' | 'low';
interface EvidenceEvent { '@timestamp': string; action: string; outcome: string; ip: string | null; country: string | null; module: string; records: number; user_agent: string | null }
interface Finding { rule: string; severity: Severity; first: string; last: string; title: string; explanation: string; advice: string; event_count: number; events: EvidenceEvent[] }
interface Account { account: string; score: number; severity: Severity; summary: string; findings: Finding[] }
interface Scan {
  id: string; status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled'; error: string | null;
  progress: { phase?: string; percent?: number; linesRead?: number; eventsPerSecond?: number | null };
  inputs: { id: string; name: string }[]; mapping: string; mappingName: string | null; hasErrorDetail: boolean; createdAt: string; createdByName: string;
  summary: null | { linesRead: number; accepted: number; rejected: number; outsidePeriod: number; accounts: number; flagged: Record<Severity, number>; seconds: number; eventsPerSecond: number; timeSpan: { first: string | null; last: string | null } };
  report: null | { evidenceId: string; name: string; sha256: string };
}
interface ScanDetail extends Scan { accounts: Account[]; series: Record<string, { day: string; events: number }[]>; firstRejected: { file: string; line: number | null; message: string }[] }
interface FolderListing { root: string; files: { path: string; size: number; modifiedAt: string }[]; truncated: boolean }

const CUSTOM = 'custom';
// Saved mappings share the picker with the presets: their option value is this prefix and their id.
const SAVED = 'saved:';
const PREVIEW_COLUMNS = ['line', '@timestamp', 'user.name', 'source.ip', 'source.geo.country_iso_code', 'event.action', 'event.outcome', 'app.module', 'records'];
const nf = (n: number) => n.toLocaleString('fr-FR');
const active = (s: Scan) => s.status === 'queued' || s.status === 'running';

export function ForensicsSection({ base, orgId, canWrite, onChange }: { base: string; orgId: string; canWrite: boolean; onChange?: () => void }) {
  const pieces = useLoad(() => api<Piece[]>('GET', `${base}/evidence`), [base]);
  const presets = useLoad(() => api<Preset[]>('GET', orgUrl(orgId, '/forensics/presets')), [orgId]);
  const savedMappings = useLoad(() => api<SavedMapping[]>('GET', orgUrl(orgId, '/forensics/mappings')), [orgId]);
  const scans = useLoad(() => api<Scan[]>('GET', `${base}/forensics/scans`), [base]);
  const [selected, setSelected] = useState<string[]>([]);
  const [preset, setPreset] = useState('ecs');
  const [mappingText, setMappingText] = useState('');
  const [mappingName, setMappingName] = useState('');
  const [mappingError, setMappingError] = useState<ApiError | null>(null);
  const [mappingNotice, setMappingNotice] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [previewOf, setPreviewOf] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [openScan, setOpenScan] = useState<string | null>(null);

  // While a scan runs, its progress is fetched every 1.5 s.
  const running = (scans.data ?? []).some(active);
  const reloadScans = scans.reload;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(reloadScans, 1500);
    return () => clearInterval(timer);
  }, [running, reloadScans]);
  // A scan that ends has filed its report: the pieces list changes.
  const wasRunning = useRef(false);
  useEffect(() => {
    if (wasRunning.current && !running) onChange?.();
    wasRunning.current = running;
  }, [running, onChange]);

  const saved = preset.startsWith(SAVED) ? savedMappings.data?.find((m) => SAVED + m.id === preset) ?? null : null;
  const editing = preset === CUSTOM || saved !== null;
  // A saved mapping is sent by its id (the scan records its name) unless it was edited without being saved.
  const choice = () => (saved && mappingText === saved.text ? { mappingId: saved.id } : editing ? { mapping: mappingText } : { preset });
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const choosePreset = (value: string) => {
    const chosen = value.startsWith(SAVED) ? savedMappings.data?.find((m) => SAVED + m.id === value) : undefined;
    if (chosen) {
      setMappingText(chosen.text);
      setMappingName(chosen.name);
    } else if (value === CUSTOM && (mappingText === '' || saved)) {
      setMappingText(presets.data?.find((p) => p.id === preset)?.text ?? saved?.text ?? presets.data?.find((p) => p.text)?.text ?? '');
      setMappingName('');
    }
    setPreset(value);
    setPreview(null);
    setMappingError(null);
    setMappingNotice(null);
    setConfirmDelete(false);
  };

  const saveMapping = async () => {
    setMappingError(null);
    setMappingNotice(null);
    setBusy(true);
    try {
      const body = { name: mappingName, text: mappingText };
      const row = saved
        ? await api<SavedMapping>('PUT', orgUrl(orgId, `/forensics/mappings/${saved.id}`), body)
        : await api<SavedMapping>('POST', orgUrl(orgId, '/forensics/mappings'), body);
      savedMappings.reload();
      setPreset(SAVED + row.id);
      setMappingText(row.text);
      setMappingName(row.name);
      setMappingNotice(t('forensics.mappingSaved', { name: row.name }));
    } catch (err) {
      setMappingError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const deleteMapping = async () => {
    if (!saved) return;
    setConfirmDelete(false);
    setMappingError(null);
    setBusy(true);
    try {
      await api('DELETE', orgUrl(orgId, `/forensics/mappings/${saved.id}`));
      savedMappings.reload();
      setPreset(CUSTOM);
      setMappingNotice(t('forensics.mappingDeleted', { name: saved.name }));
    } catch (err) {
      setMappingError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const runPreview = async () => {
    setError(null);
    const evidenceId = previewOf || selected[0];
    if (!evidenceId) {
      setError(new ApiError(400, 'validation_failed', t('forensics.chooseFirst')));
      return;
    }
    setBusy(true);
    try {
      setPreview(await api<Preview>('POST', `${base}/forensics/preview`, { evidenceId, ...choice() }));
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const start = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const scan = await api<Scan>('POST', `${base}/forensics/scans`, { evidenceIds: selected, ...choice(), ...(since && { since }), ...(until && { until }) });
      setOpenScan(scan.id);
      scans.reload();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const latestDone = (scans.data ?? []).find((s) => s.status === 'done');
  const shown = openScan ?? latestDone?.id ?? null;

  return (
    <section id="journaux" aria-labelledby="journaux-h">
      <h2 id="journaux-h">{t('forensics.title')}</h2>
      <p>{t('forensics.intro')}</p>
      {canWrite && (
        <>
          <h3>{t('forensics.step1')}</h3>
          {!pieces.data ? <Loading error={pieces.error} /> : (
            <fieldset className="forensics-inputs">
              <legend>{t('forensics.chooseLogs')}</legend>
              {pieces.data.length === 0 && <p>{t('forensics.noLogs')}</p>}
              {pieces.data.map((p) => (
                <label key={p.id} className="check">
                  <input type="checkbox" checked={selected.includes(p.id)} onChange={() => toggle(p.id)} />
                  {' '}{p.name} <span className="muted">({formatDateTime(p.uploadedAt)})</span>
                </label>
              ))}
            </fieldset>
          )}
          <LogUpload base={base} onDone={(ids) => { pieces.reload(); onChange?.(); setSelected((s) => [...new Set([...s, ...ids])]); }} />
          <FolderImport base={base} orgId={orgId} onDone={(ids) => { pieces.reload(); onChange?.(); setSelected((s) => [...new Set([...s, ...ids])]); }} />

          <h3>{t('forensics.step2')}</h3>
          <form onSubmit={start} noValidate className="form compact">
            <FormError error={error} labels={{ evidenceIds: t('forensics.chooseLogs'), mapping: t('forensics.mappingText'), mappingId: t('forensics.mapping'), preset: t('forensics.mapping'), since: t('forensics.since'), until: t('forensics.until') }} />
            <Field label={t('forensics.mapping')}>
              {(p) => (
                <select {...p} value={preset} onChange={(e) => choosePreset(e.target.value)}>
                  <optgroup label={t('forensics.presets')}>
                    {(presets.data ?? []).map((m) => <option key={m.id} value={m.id}>{getLocale() === 'en' ? m.labelEn : m.label}</option>)}
                  </optgroup>
                  {(savedMappings.data ?? []).length > 0 && (
                    <optgroup label={t('forensics.savedMappings')}>
                      {savedMappings.data!.map((m) => <option key={m.id} value={SAVED + m.id}>{m.name}</option>)}
                    </optgroup>
                  )}
                  <option value={CUSTOM}>{t('forensics.custom')}</option>
                </select>
              )}
            </Field>
            {editing && (
              <div className="mapping-editor">
                {saved && <p className="muted">{t('forensics.savedBy', { name: saved.updatedByName, date: formatDateTime(saved.updatedAt) })}{mappingText !== saved.text ? ` ${t('forensics.mappingEdited')}` : ''}</p>}
                <Field label={t('forensics.mappingText')} hint={t('forensics.mappingHint')} error={error?.field('mapping') ?? mappingError?.field('text')}>
                  {(p) => <textarea {...p} className="mono" rows={12} spellCheck={false} value={mappingText} onChange={(e) => { setMappingText(e.target.value); setPreview(null); setMappingNotice(null); }} />}
                </Field>
                <FormError error={mappingError} labels={{ name: t('forensics.mappingName'), text: t('forensics.mappingText') }} />
                {mappingNotice && <Notice>{mappingNotice}</Notice>}
                <Field label={t('forensics.mappingName')} hint={t('forensics.mappingNameHint')} error={mappingError?.field('name')}>
                  {(p) => <input {...p} type="text" maxLength={100} value={mappingName} onChange={(e) => setMappingName(e.target.value)} />}
                </Field>
                <div className="actions">
                  <button type="button" onClick={saveMapping} disabled={busy}>{saved ? t('forensics.mappingUpdate') : t('forensics.mappingSave')}</button>
                  {saved && !confirmDelete && <button type="button" onClick={() => setConfirmDelete(true)} disabled={busy}>{t('forensics.mappingDelete')}</button>}
                  {saved && confirmDelete && (
                    <>
                      <button type="button" className="primary" onClick={deleteMapping} disabled={busy}>{t('forensics.mappingDeleteConfirm', { name: saved.name })}</button>
                      <button type="button" onClick={() => setConfirmDelete(false)}>{t('forensics.mappingDeleteCancel')}</button>
                    </>
                  )}
                </div>
              </div>
            )}
            {selected.length > 1 && (
              <Field label={t('forensics.previewOf')}>
                {(p) => (
                  <select {...p} value={previewOf || selected[0]} onChange={(e) => setPreviewOf(e.target.value)}>
                    {selected.map((id) => <option key={id} value={id}>{pieces.data?.find((x) => x.id === id)?.name ?? id}</option>)}
                  </select>
                )}
              </Field>
            )}
            <div className="actions">
              <button type="button" onClick={runPreview} disabled={busy}>{t('forensics.preview')}</button>
            </div>
            {preview && <PreviewTable preview={preview} />}
            <h3>{t('forensics.step3')}</h3>
            <div className="date-range">
              <Field label={t('forensics.since')} error={error?.field('since')}>
                {(p) => <input {...p} type="date" value={since} onChange={(e) => setSince(e.target.value)} />}
              </Field>
              <Field label={t('forensics.until')} error={error?.field('until')}>
                {(p) => <input {...p} type="date" value={until} onChange={(e) => setUntil(e.target.value)} />}
              </Field>
            </div>
            <button type="submit" className="primary" disabled={busy}>{t('forensics.start')}</button>
          </form>
        </>
      )}

      <h3>{t('forensics.scans')}</h3>
      {!scans.data ? <Loading error={scans.error} /> : scans.data.length === 0 ? <p>{t('forensics.noScans')}</p> : (
        <ul className="cards">
          {scans.data.map((s) => <ScanCard key={s.id} base={base} scan={s} canWrite={canWrite} isOpen={shown === s.id} onOpen={() => setOpenScan(s.id)} onChange={scans.reload} />)}
        </ul>
      )}
      {shown && scans.data?.find((s) => s.id === shown)?.status === 'done' && <ScanResults key={shown} base={base} scanId={shown} canWrite={canWrite} onActions={onChange} />}
    </section>
  );
}

function LogUpload({ base, onDone }: { base: string; onDone: (ids: string[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    const files = [...(input.current?.files ?? [])];
    if (files.length === 0) {
      setError(new ApiError(400, 'validation_failed', t('forensics.noFile'), [{ path: 'file', message: t('forensics.noFile') }]));
      return;
    }
    setBusy(true);
    const ids: string[] = [];
    try {
      for (const file of files) {
        const form = new FormData();
        form.append('description', t('forensics.logDescription'));
        form.append('file', file, file.name);
        ids.push((await apiUpload<Piece>(`${base}/evidence`, form)).id);
      }
      if (input.current) input.current.value = '';
      setDone(true);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
      if (ids.length > 0) onDone(ids);
    }
  };
  return (
    <form onSubmit={submit} noValidate className="form compact">
      <FormError error={error} labels={{ file: t('forensics.logFiles') }} />
      {done && <Notice>{t('forensics.uploaded')}</Notice>}
      <Field label={t('forensics.logFiles')} hint={t('forensics.logFilesHint')} error={error?.field('file')}>
        {(p) => <input {...p} ref={input} type="file" multiple accept=".csv,.tsv,.txt,.ndjson,.jsonl,.json,.gz" />}
      </Field>
      <button type="submit" disabled={busy}>{t('forensics.upload')}</button>
    </form>
  );
}

function FolderImport({ base, orgId, onDone }: { base: string; orgId: string; onDone: (ids: string[]) => void }) {
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const open = async () => {
    setError(null);
    try {
      setListing(await api<FolderListing>('GET', orgUrl(orgId, '/forensics/import-folder')));
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const importFiles = async () => {
    setError(null);
    setBusy(true);
    try {
      const rows = await api<Piece[]>('POST', `${base}/forensics/import-folder`, { files: chosen });
      setChosen([]);
      setListing(null);
      onDone(rows.map((r) => r.id));
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="folder-import">
      <FormError error={error} labels={{ files: t('forensics.folderFiles') }} />
      {!listing ? <button type="button" onClick={open}>{t('forensics.folder')}</button> : (
        <fieldset>
          <legend>{t('forensics.folderFiles')}</legend>
          {listing.files.length === 0 && <p>{t('forensics.folderEmpty')}</p>}
          {listing.files.map((f) => (
            <label key={f.path} className="check">
              <input type="checkbox" checked={chosen.includes(f.path)} onChange={() => setChosen((c) => (c.includes(f.path) ? c.filter((x) => x !== f.path) : [...c, f.path]))} />
              {' '}{f.path} <span className="muted">({nf(Math.ceil(f.size / 1024))} ko, {formatDateTime(f.modifiedAt)})</span>
            </label>
          ))}
          <div className="actions">
            <button type="button" className="primary" disabled={busy || chosen.length === 0} onClick={importFiles}>{t('forensics.folderImport')}</button>
            <button type="button" onClick={() => setListing(null)}>{t('forensics.close')}</button>
          </div>
        </fieldset>
      )}
    </div>
  );
}

function PreviewTable({ preview }: { preview: Preview }) {
  return (
    <div className="preview" aria-live="polite">
      <h4>{t('forensics.previewTitle', { file: preview.file })}</h4>
      {preview.errors.length > 0 && (
        <div className="alert alert-error" role="alert">
          <p>{t('forensics.mappingWrong')}</p>
          <ul>{preview.errors.map((e, i) => <li key={i}>{e.line ? `${t('forensics.line', { line: e.line })} — ` : ''}{e.message}</li>)}</ul>
        </div>
      )}
      {preview.columns.length > 0 && <p className="muted">{t('forensics.columns')} : {preview.columns.join(' · ')}</p>}
      {preview.events.length > 0 && (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={t('forensics.previewTitle', { file: preview.file })}>
          <table>
            <caption className="visually-hidden">{t('forensics.previewTitle', { file: preview.file })}</caption>
            <thead><tr>{PREVIEW_COLUMNS.map((c) => <th key={c} scope="col">{c === 'line' ? t('forensics.lineHead') : c}</th>)}</tr></thead>
            <tbody>
              {preview.events.map((e, i) => <tr key={i}>{PREVIEW_COLUMNS.map((c) => <td key={c}>{e[c] ?? ''}</td>)}</tr>)}
            </tbody>
          </table>
        </div>
      )}
      {preview.rejected.length > 0 && (
        <>
          <h4>{t('forensics.rejected')}</h4>
          <ul className="rejected">
            {preview.rejected.map((r, i) => <li key={i}>{r.line ? t('forensics.line', { line: r.line }) : ''}{r.field ? `, ${t('forensics.field', { field: r.field })}` : ''} : {r.message}</li>)}
          </ul>
        </>
      )}
    </div>
  );
}

function ScanCard({ base, scan: s, canWrite, isOpen, onOpen, onChange }: { base: string; scan: Scan; canWrite: boolean; isOpen: boolean; onOpen: () => void; onChange: () => void }) {
  const percent = s.progress.percent ?? 0;
  const cancel = async () => {
    await api('POST', `${base}/forensics/scans/${s.id}/cancel`).catch(() => undefined);
    onChange();
  };
  const [errorDetail, setErrorDetail] = useState<string | null>(null);
  // The engine's own words can quote a log line: fetched on demand, the server traces the reading.
  const showErrorDetail = async () => {
    const detail = await api<{ errorDetail: string | null }>('GET', `${base}/forensics/scans/${s.id}`).catch(() => null);
    setErrorDetail(detail?.errorDetail ?? '');
  };
  return (
    <li className={`card scan status-${s.status}`}>
      <h4>{t('forensics.scanOf', { date: formatDateTime(s.createdAt), name: s.createdByName })}</h4>
      <p className="muted">{s.inputs.map((i) => i.name).join(', ')}{s.mappingName ? ` — ${t('forensics.mappingUsed', { name: s.mappingName })}` : ''}</p>
      <p><strong>{t(`forensics.status.${s.status}` as MessageKey)}</strong></p>
      {active(s) && (
        <>
          <label className="small-label" htmlFor={`progress-${s.id}`}>{t('forensics.progress')}</label>
          <progress id={`progress-${s.id}`} max={100} value={percent}>{percent} %</progress>
          <p aria-live="polite">{percent} %{s.progress.linesRead ? ` — ${t('forensics.lines', { n: nf(s.progress.linesRead) })}` : ''}{s.progress.eventsPerSecond ? `, ${t('forensics.rate', { n: nf(s.progress.eventsPerSecond) })}` : ''}</p>
          {canWrite && <button type="button" onClick={cancel}>{t('forensics.cancel')}</button>}
        </>
      )}
      {s.status === 'failed' && <p className="error-text">{s.error}</p>}
      {s.status === 'failed' && s.hasErrorDetail && errorDetail === null && <button type="button" onClick={showErrorDetail}>{t('forensics.errorDetail')}</button>}
      {errorDetail !== null && <pre className="mono error-detail">{errorDetail}</pre>}
      {s.summary && (
        <p>
          {t('forensics.summaryLine', { lines: nf(s.summary.linesRead), accepted: nf(s.summary.accepted), rejected: nf(s.summary.rejected), accounts: nf(s.summary.accounts), seconds: String(s.summary.seconds) })}
          {' '}{t('forensics.flaggedLine', { critical: s.summary.flagged.critical, high: s.summary.flagged.high, medium: s.summary.flagged.medium, low: s.summary.flagged.low })}
        </p>
      )}
      {s.report && <p><a href={`${base}/evidence/${s.report.evidenceId}`} download>{t('forensics.report')}</a> <span className="muted">SHA-256 <code>{s.report.sha256}</code></span></p>}
      {s.status === 'done' && !isOpen && <button type="button" onClick={onOpen}>{t('forensics.showResults')}</button>}
    </li>
  );
}

function ScanResults({ base, scanId, canWrite, onActions }: { base: string; scanId: string; canWrite: boolean; onActions?: () => void }) {
  const detail = useLoad(() => api<ScanDetail>('GET', `${base}/forensics/scans/${scanId}`), [base, scanId]);
  const [account, setAccount] = useState<string | null>(null);
  if (!detail.data) return <Loading error={detail.error} />;
  const d = detail.data;
  const current = d.accounts.find((a) => a.account === account);
  return (
    <div className="scan-results">
      <h3>{t('forensics.flagged')}</h3>
      {d.accounts.length === 0 ? <p>{t('forensics.noneFlagged')}</p> : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={t('forensics.flagged')}>
          <table>
            <thead><tr><th scope="col">{t('forensics.account')}</th><th scope="col">{t('forensics.severity')}</th><th scope="col">{t('forensics.score')}</th><th scope="col">{t('forensics.summary')}</th></tr></thead>
            <tbody>
              {d.accounts.map((a) => (
                <tr key={a.account} className={account === a.account ? 'selected' : undefined}>
                  <th scope="row"><button type="button" className="link-button" aria-pressed={account === a.account} onClick={() => setAccount(a.account)}>{a.account}</button></th>
                  <td><span className={`severity severity-${a.severity}`}>{t(`forensics.sev.${a.severity}` as MessageKey)}</span></td>
                  <td>{a.score}</td>
                  <td>{a.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {d.firstRejected.length > 0 && (
        <details>
          <summary>{t('forensics.rejectedInScan', { n: nf(d.summary?.rejected ?? d.firstRejected.length) })}</summary>
          <ul className="rejected">{d.firstRejected.map((r, i) => <li key={i}>{r.file}, {r.line ? t('forensics.line', { line: r.line }) : ''} : {r.message}</li>)}</ul>
        </details>
      )}
      {current && <AccountDetail base={base} scanId={scanId} account={current} series={d.series[current.account] ?? []} canWrite={canWrite} onActions={onActions} />}
    </div>
  );
}

function AccountDetail({ base, scanId, account: a, series, canWrite, onActions }: { base: string; scanId: string; account: Account; series: { day: string; events: number }[]; canWrite: boolean; onActions?: () => void }) {
  const [result, setResult] = useState<{ createdTasks: number; journalCreated: boolean; tasks: { title: string }[] } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [a.account]);
  const act = async () => {
    setError(null);
    setBusy(true);
    try {
      setResult(await api('POST', `${base}/forensics/scans/${scanId}/actions`, { account: a.account, tasks: true, journal: true }));
      onActions?.();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <article className="account-detail" aria-labelledby="account-h">
      <h3 id="account-h" ref={heading} tabIndex={-1}>{t('forensics.accountTitle', { account: a.account })}</h3>
      <p><span className={`severity severity-${a.severity}`}>{t(`forensics.sev.${a.severity}` as MessageKey)}</span> — {t('forensics.score')} {a.score}</p>
      <p>{a.summary}</p>
      <Timeline series={series} findings={a.findings} account={a.account} />
      {canWrite && (
        <div className="account-actions">
          <FormError error={error} />
          {result && <Notice>{result.createdTasks > 0 || result.journalCreated ? t('forensics.actionsDone', { n: result.createdTasks }) : t('forensics.actionsAlready')} {result.tasks.map((x) => x.title).join(' ; ')}</Notice>}
          <button type="button" className="primary" onClick={act} disabled={busy}>{t('forensics.createActions')}</button>
          <p className="hint">{t('forensics.createActionsHint')}</p>
        </div>
      )}
      <h4>{t('forensics.findings')}</h4>
      <ol className="findings">
        {a.findings.map((f, i) => (
          <li key={i} className="finding">
            <p><span className={`severity severity-${f.severity}`}>{t(`forensics.sev.${f.severity}` as MessageKey)}</span> <strong>{f.title}</strong> — {formatDateTime(f.first)}{f.last !== f.first ? ` → ${formatDateTime(f.last)}` : ''}</p>
            <p>{f.explanation}</p>
            {f.advice && <p className="muted">{f.advice}</p>}
            <details>
              <summary>{t('forensics.events', { n: f.events.length, total: f.event_count })}</summary>
              <div className="table-wrap" tabIndex={0} role="region" aria-label={t('forensics.events', { n: f.events.length, total: f.event_count })}>
                <table>
                  <thead><tr><th scope="col">{t('forensics.when')}</th><th scope="col">{t('forensics.action')}</th><th scope="col">IP</th><th scope="col">{t('forensics.country')}</th><th scope="col">{t('forensics.module')}</th><th scope="col">{t('forensics.records')}</th></tr></thead>
                  <tbody>
                    {f.events.map((e, k) => <tr key={k}><td>{formatDateTime(e['@timestamp'])}</td><td>{e.action} ({e.outcome})</td><td>{e.ip ?? ''}</td><td>{e.country ?? ''}</td><td>{e.module}</td><td>{e.records}</td></tr>)}
                  </tbody>
                </table>
              </div>
            </details>
          </li>
        ))}
      </ol>
    </article>
  );
}

/** Daily activity as bars, the days with findings marked: inline SVG, classes only (the CSP forbids inline styles). */
export function Timeline({ series, findings, account }: { series: { day: string; events: number }[]; findings: Finding[]; account: string }) {
  if (series.length === 0) return null;
  const width = 640;
  const height = 140;
  const pad = 24;
  const max = Math.max(...series.map((s) => s.events), 1);
  const bar = (width - pad) / series.length;
  const flaggedDays = new Set(findings.map((f) => f.first.slice(0, 10)));
  const peak = series.reduce((a, b) => (b.events > a.events ? b : a));
  const description = t('forensics.timelineDesc', { account, days: series.length, from: formatDate(series[0]!.day), to: formatDate(series.at(-1)!.day), max: nf(peak.events), peak: formatDate(peak.day) });
  return (
    <figure className="timeline-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={description}>
        <line className="axis" x1={pad} y1={height - pad} x2={width} y2={height - pad} />
        <text className="axis-label" x={0} y={12}>{nf(max)}</text>
        <text className="axis-label" x={pad} y={height - 6}>{formatDate(series[0]!.day)}</text>
        <text className="axis-label" x={width} y={height - 6} textAnchor="end">{formatDate(series.at(-1)!.day)}</text>
        {series.map((s, i) => {
          const h = ((height - pad - 16) * s.events) / max;
          return <rect key={s.day} className={flaggedDays.has(s.day) ? 'bar flagged' : 'bar'} x={pad + i * bar} y={height - pad - h} width={Math.max(1, bar - 1)} height={h}><title>{`${formatDate(s.day)} : ${nf(s.events)}`}</title></rect>;
        })}
      </svg>
      <figcaption>{description} {t('forensics.timelineLegend')}</figcaption>
    </figure>
  );
}
