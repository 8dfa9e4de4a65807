// The only place that reads process.env: everything else receives a typed Config.
import path from 'node:path';
import { z } from 'zod';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  REMPART_DATA_DIR: z.string().default('./data'),
  REMPART_MASTER_KEY: z.string().optional(),
  REMPART_PUBLIC_URL: z.string().url().optional(),
  REMPART_SECURE_COOKIES: z.enum(['auto', 'true', 'false']).default('auto'),
  REMPART_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(30),
  REMPART_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).default(12),
  REMPART_MAX_UPLOAD_MB: z.coerce.number().int().min(1).max(2048).default(50),
  // Evidence is streamed to disk, so its cap is about disk space, not memory: 10 GiB by default.
  REMPART_MAX_EVIDENCE_MB: z.coerce.number().int().min(1).max(1_048_576).default(10_240),
  REMPART_LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  SMTP_URL: z.string().optional(),
  SMTP_FROM: z.string().default('Rempart <no-reply@rempart.invalid>'),
  // The SMS aggregator's SMPP account, for the notification campaign of breach scoping.
  SMPP_URL: z.string().regex(/^s?smpp:\/\/[^@/\s]+@[^/\s]+\/?$/, 'attendu smpp://identifiant:motdepasse@hôte:port (ou ssmpp:// en TLS), fourni par l’opérateur SMS').optional(),
  SMPP_SENDER: z.string().regex(/^(?:[A-Za-z0-9 .-]{1,11}|\+?\d{3,15})$/, 'émetteur des SMS : 11 lettres ou chiffres au plus (ex. MAIRIE), ou un numéro').optional(),
  SMPP_RECEIPT_WAIT_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  // How long the server keeps listening for the receipts of SMS sent (operators keep trying a phone that is off for up to 72 h).
  SMPP_RECEIPT_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(72),
  REMPART_LOG_IMPORT_DIR: z.string().min(1).optional(),
  REMPART_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
}).refine((e) => !e.SMPP_URL || e.SMPP_SENDER, { message: 'SMPP_URL demande aussi SMPP_SENDER (émetteur des SMS, ex. MAIRIE, déclaré auprès de l’opérateur)', path: ['SMPP_SENDER'] });

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  masterKey?: string;
  publicUrl: string;
  secureCookies: boolean;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  maxUploadBytes: number;
  /** Per piece of evidence (logs exports run to gigabytes; they are streamed, never held in memory). */
  maxEvidenceBytes: number;
  /** Sign-in attempts per minute and per address. */
  loginRateLimit: number;
  smtpUrl?: string;
  smtpFrom: string;
  /** SMS for the scoping campaign (absent: SMS are only offered as a CSV to send elsewhere). */
  smpp?: { url: string; sender: string; receiptWaitMs: number; receiptMaxMs: number };
  logLevel: string;
  /** Server folder from which log files may be imported into an incident (absent: the feature is off). */
  logImportDir?: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Configuration invalide (variables d'environnement) :\n${lines}`);
  }
  const e = parsed.data;
  const publicUrl = e.REMPART_PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  const config: Config = {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.REMPART_DATA_DIR),
    masterKey: e.REMPART_MASTER_KEY,
    publicUrl,
    secureCookies: e.REMPART_SECURE_COOKIES === 'auto' ? publicUrl.startsWith('https:') : e.REMPART_SECURE_COOKIES === 'true',
    sessionIdleMs: e.REMPART_SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: e.REMPART_SESSION_ABSOLUTE_HOURS * 3_600_000,
    maxUploadBytes: e.REMPART_MAX_UPLOAD_MB * 1_048_576,
    maxEvidenceBytes: e.REMPART_MAX_EVIDENCE_MB * 1_048_576,
    loginRateLimit: e.REMPART_LOGIN_RATE_LIMIT,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    smpp: e.SMPP_URL ? { url: e.SMPP_URL, sender: e.SMPP_SENDER!, receiptWaitMs: e.SMPP_RECEIPT_WAIT_SECONDS * 1000, receiptMaxMs: e.SMPP_RECEIPT_MAX_HOURS * 3_600_000 } : undefined,
    logLevel: e.REMPART_LOG_LEVEL,
    logImportDir: e.REMPART_LOG_IMPORT_DIR ? path.resolve(e.REMPART_LOG_IMPORT_DIR) : undefined,
  };
  return { ...config, ...overrides };
}
