import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { sendEmails } from './send.ts';
import type { ScopePerson } from './engine.ts';

const dir = mkdtempSync(join(tmpdir(), 'rempart-send-'));
const received: { to: string; body: string }[] = [];
const server = new SMTPServer({
  authOptional: true, disabledCommands: ['STARTTLS'],
  onData(stream, session, cb) { let body = ''; stream.on('data', (c: Buffer) => { body += c.toString('utf8'); }); stream.on('end', () => { received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), body }); cb(); }); },
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.server.address() as AddressInfo).port;
afterAll(async () => { await new Promise<void>((r) => server.close(() => r())); rmSync(dir, { recursive: true, force: true }); });

const person = (id: string, email: string): ScopePerson => ({ id, records: [0], lastName: 'DURAND', firstName: 'Léa', birthDate: '1980-01-01', modules: ['otv'], roles: ['requerant'], categories: ['identity', 'contact'], risks: [{ risk: 'phishing', reason: 'Vos coordonnées ont fuité.' }], phone: null, email, postal: null, minor: false });
const pack = { organisation: 'La commune de Joinville-le-Pont', dpoContact: 'dpo@joinville.example' };

describe('sendEmails', () => {
  it('dry run sends nothing and records what would be sent', async () => {
    const record = join(dir, 'dry.csv');
    const r = await sendEmails([person('P1', 'a@exemple.fr'), person('P2', '')], pack, { smtp: { host: '127.0.0.1', port }, from: 'mairie@exemple.fr', dryRun: true, recordPath: record });
    expect(r).toMatchObject({ sent: 1, dryRun: true });
    expect(received).toHaveLength(0);
    expect(readFileSync(record, 'utf8')).toContain('P1,a@exemple.fr,simulé');
  });

  it('sends through SMTP with the rate limit, and does not send twice when resumed', async () => {
    const record = join(dir, 'sent.csv');
    const waits: number[] = [];
    const opts = { smtp: { host: '127.0.0.1', port, ignoreTLS: true }, from: 'mairie@exemple.fr', perMinute: 30, recordPath: record, sleep: async (ms: number) => { waits.push(ms); } };
    const list = [person('P1', 'a@exemple.fr'), person('P2', 'b@exemple.fr')];
    expect(await sendEmails(list, pack, opts)).toMatchObject({ sent: 2, failed: 0 });
    expect(received.map((m) => m.to)).toEqual(['a@exemple.fr', 'b@exemple.fr']);
    expect(received[0]!.body).toMatch(/d=C3=A9l=C3=A9gu=C3=A9|délégué/);
    expect(waits).toEqual([2000]);
    expect(await sendEmails(list, pack, opts)).toMatchObject({ sent: 0, skipped: 2 });
    expect(received).toHaveLength(2);
  });
});
