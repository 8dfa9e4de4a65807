// The scan job: decrypt the chosen logs into a private folder, run the engine with progress and
// cancellation, file report.html as evidence (hashed), seal the findings; the folder is always removed.
import { json } from '@rempart/db';
import { findingsCsv, reportHtml, scanFiles, type ScanProgress, type ScanResult } from '@rempart/forensics';
import { appendAudit } from '../../platform/audit.ts';
import type { Services } from '../../platform/services.ts';
import { withScratchDir } from '../../platform/scratch.ts';
import type { JobContext, JobHandler } from '../jobs/queue.ts';
import { addEvidence, evidenceRow } from '../evidence/service.ts';
import { findingsAad, mappingIssueText, resolveMapping, scanErrorAad, scanFailure, ScanSetupError, writeInput, type SealedFindings } from './service.ts';

export const FORENSICS_SCAN = 'forensics.scan';

// Share of the progress bar per phase: reading dominates on real files.
const PHASES = { read: [0, 0.8], detect: [0.8, 0.95], explain: [0.95, 1] } as const;

export function forensicsScanHandler(services: Services): JobHandler {
  return async (ctx: JobContext) => {
    const scanId = String(ctx.payload.scanId);
    const orgId = ctx.organisationId!;
    try {
      return await runScan(services, ctx, orgId, scanId);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      // jobs.error is in clear and listed without an audited read: it gets the located, value-free
      // text; the engine's own words (which may quote a header or a log line) are sealed on the scan.
      const failure = scanFailure(error);
      if (failure.detail) {
        await services.db.updateTable('forensic_scans').set({ error_enc: services.keys.encrypt(failure.detail, scanErrorAad(orgId, scanId)) })
          .where('organisation_id', '=', orgId).where('id', '=', scanId).execute();
      }
      throw new Error(failure.text);
    }
  };
}

async function runScan(services: Services, ctx: JobContext, orgId: string, scanId: string) {
  const scan = await services.db.selectFrom('forensic_scans').selectAll().where('organisation_id', '=', orgId).where('id', '=', scanId).executeTakeFirst();
  if (!scan) throw new ScanSetupError('Analyse introuvable (supprimée avec son incident ?).');
  const creator = scan.created_by ? await services.db.selectFrom('users').select(['email']).where('id', '=', scan.created_by).executeTakeFirst() : undefined;
  const resolved = resolveMapping(scan.mapping_preset ? { preset: scan.mapping_preset as never } : { mapping: scan.mapping_text ?? '' });
  if (!resolved.ok) throw new ScanSetupError(`Correspondance invalide : ${resolved.issues.map(mappingIssueText).join(' ; ')}`);

  const result = await withScratchDir(services, 'forensics', async (dir) => {
    const files: string[] = [];
    const ids = scan.input_evidence_ids as string[];
    for (const [index, id] of ids.entries()) {
      files.push(await writeInput(services, dir, index, await evidenceRow(services, orgId, scan.incident_id, id)));
    }
    await ctx.progress({ phase: 'read', percent: 0, linesRead: 0, eventsPerSecond: 0 });
    const started = Date.now();
    let last = 0;
    let pending: Promise<void> = Promise.resolve();
    const onProgress = (p: ScanProgress) => {
      const now = Date.now();
      if (now - last < 500 && p.fraction < 1) return;
      last = now;
      const [from, to] = PHASES[p.phase];
      const seconds = Math.max(0.001, (now - started) / 1000);
      const value = {
        phase: p.phase, percent: Math.round((from + (to - from) * Math.min(1, p.fraction)) * 100), linesRead: p.linesRead,
        eventsPerSecond: p.linesRead > 0 ? Math.round(p.linesRead / seconds) : null, file: p.file ?? null, rule: p.rule ?? null,
      };
      // Progress writes are chained so that they land in order; a cancel is seen by the next one.
      pending = pending.then(() => ctx.progress(value)).catch(() => undefined);
    };
    let scanned: ScanResult;
    try {
      scanned = await scanFiles(files, {
        mapping: resolved.mapping, since: scan.since ? new Date(scan.since).getTime() : undefined, until: scan.until ? new Date(scan.until).getTime() : undefined,
        onProgress, signal: ctx.signal, workDir: dir,
      });
    } finally {
      await pending;
    }
    if (ctx.signal.aborted) throw new Error('annulé');
    return { scanned, seconds: (Date.now() - started) / 1000 };
  });

  const { scanned, seconds } = result;
  const s = scanned.summary;
  // Counts only in clear; names, addresses and located rejected lines stay sealed.
  const summary = {
    linesRead: s.lines_read, accepted: s.accepted, rejected: s.rejected, rejectedByReason: s.rejected_by_reason, outsidePeriod: s.outside_period,
    timeSpan: s.time_span, accounts: s.accounts, flagged: s.flagged, files: s.files.map((f) => ({ file: f.file, lines: f.lines, accepted: f.accepted, rejected: f.rejected })),
    seconds: Math.round(seconds * 10) / 10, eventsPerSecond: Math.round(s.lines_read / Math.max(0.001, seconds)),
  };
  const sealed: SealedFindings = { accounts: scanned.accounts, series: scanned.series, firstRejected: s.first_rejected };
  const stamp = new Date(scan.created_at).toISOString().slice(0, 16).replace(/[:T]/g, '-');
  const uploader = { orgId, incidentId: scan.incident_id, uploadedBy: scan.created_by, uploadedByName: `Rempart (analyse lancée par ${scan.created_by_name})` };
  const actor = { actorUserId: scan.created_by, actorLabel: creator?.email ?? scan.created_by_name, organisationId: orgId, ip: null };
  const [report] = await addEvidence(services, uploader, [
    { name: `analyse-journaux-${stamp}.html`, mediaType: 'text/html', data: Buffer.from(reportHtml(scanned), 'utf8'), description: 'Rapport de l’analyse des journaux (généré par Rempart)' },
    { name: `analyse-journaux-${stamp}.csv`, mediaType: 'text/csv', data: Buffer.from(findingsCsv(scanned), 'utf8'), description: 'Constats de l’analyse des journaux, une ligne par constat (généré par Rempart)' },
  ], (trx, piece) => appendAudit(trx, services.keys, { ...actor, action: 'evidence.add', objectType: 'evidence', objectId: piece.id, outcome: 'success', details: { incidentId: scan.incident_id, sha256: piece.sha256, size: piece.size, scanId } }),
  async (trx, [reportId]) => {
    // A cancel that arrived after the last progress report still wins: nothing is filed.
    const job = await trx.selectFrom('jobs').select('status').where('id', '=', ctx.id).forUpdate().executeTakeFirst();
    if (job?.status === 'cancelled') throw new ScanSetupError('annulé');
    await trx.updateTable('forensic_scans').set({
      summary: json(summary), findings_enc: services.keys.encrypt(JSON.stringify(sealed), findingsAad(orgId, scanId)), report_evidence_id: reportId!, finished_at: services.now(),
    }).where('organisation_id', '=', orgId).where('id', '=', scanId).execute();
    await appendAudit(trx, services.keys, { ...actor, action: 'forensics.scan', objectType: 'forensic_scan', objectId: scanId, outcome: 'success', details: { linesRead: s.lines_read, flagged: s.flagged } });
  });
  return { scanId, reportEvidenceId: report!.id, flagged: s.flagged, linesRead: s.lines_read };
}
