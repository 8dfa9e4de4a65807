// Notification campaign: one message per person over a channel (email by SMTP, SMS by SMPP), a dry
// run that sends nothing, a rate limit, and a record appended line by line so that a campaign
// stopped by Ctrl-C, a crash or a dead server resumes without sending anything twice.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import nodemailer from 'nodemailer';
import type { PackOptions } from './outputs.ts';
import { EMAIL_SUBJECT, emailText } from './outputs.ts';
import type { ScopePerson } from './engine.ts';

/** One message to one recipient (an email address or an E.164 mobile number). */
export interface Outgoing { personId: string; to: string; subject?: string; text: string }

/** What the network finally said about a message (SMS delivery receipt), keyed by `deliver`'s identifier. */
export interface DeliveryReceipt { messageId: string; delivered: boolean; state: string }

export interface DeliveryChannel {
  readonly name: 'email' | 'sms';
  /** Present when the channel reports receipts (SMS); email stops at the server's acceptance. */
  onReceipt?(listener: (r: DeliveryReceipt) => void): void;
  /** What the rate limit counts for this message (an SMS in 3 parts is 3 submissions). */
  cost(m: Outgoing): number;
  /** Delivers or throws; returns the provider's identifier of the message. */
  deliver(m: Outgoing): Promise<string>;
  close(): Promise<void>;
}

/** An error whose message is written for the person running the campaign (French). */
export class CampaignError extends Error {}

export interface CampaignOptions {
  /** Nothing is sent: the simulation is written to `simulationPath`, the record is only read. */
  dryRun: boolean;
  /** Record of real deliveries (CSV person_id,to,status,at,detail); read to resume, appended to. */
  recordPath: string;
  /** Where a dry run writes what it would send (overwritten at each dry run). */
  simulationPath?: string;
  /** Rate-limit units (messages, or SMS parts) per minute at most (default 60). */
  perMinute?: number;
  /** Send again the messages whose delivery started but was never confirmed (hard stop mid-send). */
  retryUncertain?: boolean;
  /** Stop after this many failures in a row: the server is down, not the recipients (default 10). */
  maxConsecutiveFailures?: number;
  signal?: AbortSignal;
  onProgress?: (p: CampaignReport & { done: number }) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => Date;
}

export interface CampaignReport {
  total: number; sent: number; simulated: number; skipped: number; failed: number;
  /** Started before a hard stop, never confirmed: not sent again unless retryUncertain. */
  uncertain: number;
  dryRun: boolean; interrupted: boolean;
  /** Set when the campaign stopped on repeated failures. */
  stoppedOnFailures: boolean;
  /** Delivery receipts received during this campaign (SMS only). */
  delivered: number; undelivered: number;
}

export const RECORD_HEADER = 'person_id,to,status,at,detail\n';
export const STATUS = { started: 'en_cours', sent: 'envoyé', failed: 'échec', simulated: 'simulé', delivered: 'remis', undelivered: 'non remis' } as const;
/** Statuses after which a message is not sent again: it left (the receipt only tells what became of it). */
const LEFT: ReadonlySet<string> = new Set([STATUS.sent, STATUS.delivered, STATUS.undelivered]);

const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const line = (cols: string[]) => `${cols.map(cell).join(',')}\n`;
const keyOf = (personId: string, to: string) => `${personId}\u0000${to}`;

/** The last status of each (person, recipient) in a record file. */
export function readRecord(path: string): Map<string, string> {
  const last = new Map<string, string>();
  if (!existsSync(path)) return last;
  let rows: string[][];
  try {
    rows = parse(readFileSync(path, 'utf8'), { relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    throw new CampaignError(`Registre des envois illisible (${path}) : ${(e as Error).message}. Corrigez ou déplacez ce fichier avant de reprendre.`);
  }
  const header = rows.shift();
  if (!header || header[0] !== 'person_id' || header[1] !== 'to' || header[2] !== 'status') throw new CampaignError(`Registre des envois inattendu (${path}) : en-tête « person_id,to,status,at,detail » attendu.`);
  for (const [id, to, status] of rows) if (id && to !== undefined && status) last.set(keyOf(id, to), status);
  return last;
}

export const abortableSleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  if (signal?.aborted) { reject(signal.reason); return; }
  const onAbort = () => { clearTimeout(timer); reject(signal!.reason); };
  const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
  signal?.addEventListener('abort', onAbort, { once: true });
});

export async function runCampaign(messages: Outgoing[], channel: DeliveryChannel | null, options: CampaignOptions): Promise<CampaignReport> {
  if (!options.dryRun && !channel) throw new CampaignError('Aucun canal d’envoi : un envoi réel demande un serveur (SMTP ou SMPP).');
  const record = readRecord(options.recordPath);
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? abortableSleep;
  const gap = 60_000 / (options.perMinute ?? 60);
  const maxFailures = options.maxConsecutiveFailures ?? 10;
  if (options.dryRun) {
    if (options.simulationPath) writeFileSync(options.simulationPath, RECORD_HEADER);
  } else if (!existsSync(options.recordPath)) writeFileSync(options.recordPath, RECORD_HEADER);
  const report: CampaignReport = { total: messages.length, sent: 0, simulated: 0, skipped: 0, failed: 0, uncertain: 0, dryRun: options.dryRun, interrupted: false, stoppedOnFailures: false, delivered: 0, undelivered: 0 };
  // A receipt can be read before `deliver` has returned its identifier: kept until it has.
  const sentById = new Map<string, Outgoing>();
  const early = new Map<string, DeliveryReceipt>();
  const recordReceipt = (m: Outgoing, r: DeliveryReceipt) => {
    appendFileSync(options.recordPath, line([m.personId, m.to, r.delivered ? STATUS.delivered : STATUS.undelivered, now().toISOString(), `${r.messageId} ${r.state}`]));
    if (r.delivered) report.delivered++; else report.undelivered++;
  };
  if (!options.dryRun) channel?.onReceipt?.((r) => { const m = sentById.get(r.messageId); if (m) { sentById.delete(r.messageId); recordReceipt(m, r); } else early.set(r.messageId, r); });
  let done = 0;
  let owed = 0; // rate-limit time owed by the previous delivery
  let failuresInARow = 0;
  try {
    for (const m of messages) {
      options.signal?.throwIfAborted();
      done++;
      const previous = record.get(keyOf(m.personId, m.to));
      if (previous && LEFT.has(previous)) { report.skipped++; options.onProgress?.({ ...report, done }); continue; }
      if (previous === STATUS.started && !options.retryUncertain) { report.uncertain++; options.onProgress?.({ ...report, done }); continue; }
      if (options.dryRun) {
        if (options.simulationPath) appendFileSync(options.simulationPath, line([m.personId, m.to, STATUS.simulated, now().toISOString(), '']));
        report.simulated++;
        options.onProgress?.({ ...report, done });
        continue;
      }
      if (owed) await sleep(owed, options.signal);
      // Written before the attempt: if the process dies during it, the resume knows it may have left.
      appendFileSync(options.recordPath, line([m.personId, m.to, STATUS.started, now().toISOString(), '']));
      try {
        const id = await channel!.deliver(m);
        appendFileSync(options.recordPath, line([m.personId, m.to, STATUS.sent, now().toISOString(), id]));
        report.sent++;
        const r = early.get(id);
        if (r) { early.delete(id); recordReceipt(m, r); } else sentById.set(id, m);
        failuresInARow = 0;
      } catch (e) {
        appendFileSync(options.recordPath, line([m.personId, m.to, STATUS.failed, now().toISOString(), (e as Error).message.slice(0, 300)]));
        report.failed++;
        failuresInARow++;
      }
      owed = gap * channel!.cost(m);
      options.onProgress?.({ ...report, done });
      if (failuresInARow >= maxFailures) { report.stoppedOnFailures = true; break; }
    }
  } catch (e) {
    if (!options.signal?.aborted) throw e;
    report.interrupted = true;
  } finally {
    await channel?.close();
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// Email over SMTP.

/**
 * A server address (SMTP, SMPP) read as a URL with its plain or TLS scheme and a host; every error
 * says in French what was expected (`example`).
 */
export function serverUrl(text: string, kind: string, plain: string, tls: string, example: string): { url: URL; secure: boolean } {
  let url: URL;
  try { url = new URL(text); } catch { throw new CampaignError(`Adresse du serveur ${kind} illisible : « ${text} » (attendu ${example}).`); }
  if (url.protocol !== `${plain}:` && url.protocol !== `${tls}:`) throw new CampaignError(`Adresse du serveur ${kind} : protocole « ${url.protocol.replace(/:$/, '')} » non pris en charge (attendu ${plain}:// ou ${tls}://).`);
  if (!url.hostname) throw new CampaignError(`Adresse du serveur ${kind} sans nom d’hôte : « ${text} ».`);
  return { url, secure: url.protocol === `${tls}:` };
}

export interface SmtpTarget { host: string; port: number; secure: boolean; user?: string; pass?: string }

/** smtp://[user:pass@]host[:port] (STARTTLS when offered) or smtps://… (TLS from the start). */
export function parseSmtpUrl(text: string): SmtpTarget {
  const { url, secure } = serverUrl(text, 'SMTP', 'smtp', 'smtps', 'smtp://hôte:port ou smtps://identifiant:motdepasse@hôte:port');
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : secure ? 465 : 587, secure,
    ...(url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : {}),
  };
}

const smtpReason = (e: unknown) => {
  const err = e as { code?: string; responseCode?: number; message?: string };
  // nodemailer wraps socket errors as ESOCKET: the system code is in the message.
  const code = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET)\b/.exec(err.message ?? '')?.[1] ?? err.code;
  if (code === 'ECONNREFUSED') return 'connexion refusée';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EDNS') return 'nom d’hôte inconnu';
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT') return 'pas de réponse (délai dépassé)';
  if (code === 'ECONNRESET') return 'connexion coupée par le serveur';
  if (err.code === 'EAUTH') return `identifiants refusés${err.responseCode ? ` (${err.responseCode})` : ''}`;
  return `${err.code ?? 'erreur'}${err.responseCode ? ` ${err.responseCode}` : ''} : ${err.message ?? ''}`;
};

/** Connects and checks the server answers (and accepts the credentials) before anything is sent. */
export async function openSmtpChannel(target: SmtpTarget, from: string): Promise<DeliveryChannel> {
  // One connection reused for the whole campaign: no handshake per message.
  const transport = nodemailer.createTransport({
    pool: true, maxConnections: 1,
    host: target.host, port: target.port, secure: target.secure, connectionTimeout: 15_000, greetingTimeout: 15_000,
    ...(target.user ? { auth: { user: target.user, pass: target.pass ?? '' } } : {}),
  });
  try {
    await transport.verify();
  } catch (e) {
    transport.close();
    throw new CampaignError(`Serveur SMTP ${target.host}:${target.port} inutilisable : ${smtpReason(e)}.`);
  }
  return {
    name: 'email',
    cost: () => 1,
    async deliver(m) {
      const info = await transport.sendMail({ from, to: m.to, subject: m.subject ?? '', text: m.text });
      if (info.rejected?.length) throw new Error(`destinataire refusé par le serveur : ${String(info.response ?? '')}`);
      return String(info.messageId ?? '');
    },
    async close() { transport.close(); },
  };
}

/** The email of each person, the letter's text as body (the platform and tests use this shape). */
export function emailMessages(persons: ScopePerson[], pack: PackOptions): Outgoing[] {
  return persons.filter((p) => p.email).map((p) => ({ personId: p.id, to: p.email, subject: EMAIL_SUBJECT, text: emailText(p, pack) }));
}
