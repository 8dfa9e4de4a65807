// Email campaign: one message per person, dry run, rate limit, and a record of what was sent
// (appended line by line, so an interrupted campaign can be resumed without sending twice).
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { PackOptions } from './outputs.ts';
import { letterText } from './outputs.ts';
import type { ScopePerson } from './engine.ts';

export interface SendOptions {
  smtp: { host: string; port: number; secure?: boolean; user?: string; pass?: string; ignoreTLS?: boolean };
  from: string;
  /** Messages per minute at most (default 60). */
  perMinute?: number;
  dryRun?: boolean;
  /** CSV record of the campaign: person_id,email,status,detail. Persons already "envoyé" are skipped. */
  recordPath: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface SendReport { sent: number; skipped: number; failed: number; dryRun: boolean }

const cell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export async function sendEmails(persons: ScopePerson[], pack: PackOptions, options: SendOptions): Promise<SendReport> {
  const already = new Set<string>();
  if (existsSync(options.recordPath)) {
    for (const line of readFileSync(options.recordPath, 'utf8').split('\n').slice(1)) { const [id, , status] = line.split(','); if (status === 'envoyé' && id) already.add(id); }
  } else appendFileSync(options.recordPath, 'person_id,email,status,detail\n');
  const targets = persons.filter((p) => p.email);
  const transport = options.dryRun ? null : nodemailer.createTransport({
    host: options.smtp.host, port: options.smtp.port, secure: options.smtp.secure ?? false, ignoreTLS: options.smtp.ignoreTLS,
    ...(options.smtp.user ? { auth: { user: options.smtp.user, pass: options.smtp.pass ?? '' } } : {}),
  });
  const gap = 60_000 / (options.perMinute ?? 60);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const report: SendReport = { sent: 0, skipped: 0, failed: 0, dryRun: options.dryRun === true };
  let i = 0;
  for (const p of targets) {
    options.signal?.throwIfAborted();
    i++;
    if (already.has(p.id)) { report.skipped++; continue; }
    const text = letterText(p, pack).join('\n\n');
    if (!transport) {
      appendFileSync(options.recordPath, `${p.id},${cell(p.email)},simulé,\n`);
      report.sent++;
    } else {
      try {
        const info = await transport.sendMail({ from: options.from, to: p.email, subject: 'Fuite de données personnelles vous concernant', text });
        appendFileSync(options.recordPath, `${p.id},${cell(p.email)},envoyé,${cell(String(info.messageId ?? ''))}\n`);
        report.sent++;
      } catch (e) {
        appendFileSync(options.recordPath, `${p.id},${cell(p.email)},échec,${cell((e as Error).message)}\n`);
        report.failed++;
      }
      if (i < targets.length) await sleep(gap);
    }
    options.onProgress?.(i, targets.length);
  }
  transport?.close();
  return report;
}
