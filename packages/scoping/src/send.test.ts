import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { emailMessages, openSmtpChannel, parseSmtpUrl, readRecord, runCampaign, type DeliveryChannel } from './send.ts';
import type { ScopePerson } from './engine.ts';

const dir = mkdtempSync(join(tmpdir(), 'rempart-send-'));
const received: { to: string; body: string }[] = [];
let refuse = '';
const server = new SMTPServer({
  authOptional: true, disabledCommands: ['STARTTLS'],
  onRcptTo(address, _session, cb) { cb(address.address === refuse ? Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }) : undefined); },
  onData(stream, session, cb) { let body = ''; stream.on('data', (c: Buffer) => { body += c.toString('utf8'); }); stream.on('end', () => { received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), body }); cb(); }); },
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.server.address() as AddressInfo).port;
afterAll(async () => { await new Promise<void>((r) => server.close(() => r())); rmSync(dir, { recursive: true, force: true }); });

const person = (id: string, email: string): ScopePerson => ({ id, records: [0], lastName: 'DURAND', firstName: 'Léa', birthDate: '1980-01-01', modules: ['otv'], roles: ['requerant'], categories: ['identity', 'contact'], risks: [{ risk: 'phishing', reason: 'Vos coordonnées ont fuité.' }], phone: null, email, postal: null, minor: false });
const pack = { organisation: 'La commune de Joinville-le-Pont', dpoContact: 'dpo@joinville.example' };
const smtp = () => openSmtpChannel({ host: '127.0.0.1', port, secure: false }, 'mairie@exemple.fr');

describe('runCampaign over SMTP', () => {
  it('dry run sends nothing, writes the simulation and leaves the record untouched', async () => {
    const before = received.length;
    const r = await runCampaign(emailMessages([person('P1', 'a@exemple.fr'), person('P2', '')], pack), null, { dryRun: true, recordPath: join(dir, 'none.csv'), simulationPath: join(dir, 'dry.csv') });
    expect(r).toMatchObject({ total: 1, simulated: 1, sent: 0, dryRun: true });
    expect(received.length).toBe(before);
    expect(readFileSync(join(dir, 'dry.csv'), 'utf8')).toMatch(/^person_id,to,status,at,detail\nP1,a@exemple\.fr,simulé,/);
    expect(readRecord(join(dir, 'none.csv')).size).toBe(0);
  });

  it('sends with the rate limit, records each delivery and does not send twice when resumed', async () => {
    const record = join(dir, 'sent.csv');
    const waits: number[] = [];
    const opts = { dryRun: false, perMinute: 30, recordPath: record, sleep: async (ms: number) => { waits.push(ms); } };
    const list = emailMessages([person('P1', 'a@exemple.fr'), person('P2', 'b@exemple.fr')], pack);
    const before = received.length;
    expect(await runCampaign(list, await smtp(), opts)).toMatchObject({ sent: 2, failed: 0, skipped: 0 });
    expect(received.slice(before).map((m) => m.to)).toEqual(['a@exemple.fr', 'b@exemple.fr']);
    expect(received.at(-1)!.body).toMatch(/d=C3=A9l=C3=A9gu=C3=A9|délégué/);
    expect(waits).toEqual([2000]);
    expect(await runCampaign(list, await smtp(), opts)).toMatchObject({ sent: 0, skipped: 2 });
    expect(received.length).toBe(before + 2);
    expect([...readRecord(record).values()]).toEqual(['envoyé', 'envoyé']);
  });

  it('records a refused recipient as failed and sends it again on the next run; an unconfirmed send is not repeated', async () => {
    const record = join(dir, 'refused.csv');
    refuse = 'c@exemple.fr';
    const list = emailMessages([person('P3', 'c@exemple.fr'), person('P4', 'd@exemple.fr')], pack);
    const opts = { dryRun: false, perMinute: 6000, recordPath: record };
    expect(await runCampaign(list, await smtp(), opts)).toMatchObject({ sent: 1, failed: 1 });
    expect(readFileSync(record, 'utf8')).toMatch(/P3,c@exemple\.fr,échec,.*mailbox unavailable/);
    refuse = '';
    // A process killed during a delivery leaves « en_cours » alone: it may have left, so it is not sent again.
    appendFileSync(record, 'P5,e@exemple.fr,en_cours,2026-11-28T08:00:00.000Z,\n');
    const more = [...list, ...emailMessages([person('P5', 'e@exemple.fr')], pack)];
    const before = received.length;
    expect(await runCampaign(more, await smtp(), opts)).toMatchObject({ sent: 1, skipped: 1, uncertain: 1 });
    expect(received.slice(before).map((m) => m.to)).toEqual(['c@exemple.fr']);
    expect(await runCampaign(more, await smtp(), { ...opts, retryUncertain: true })).toMatchObject({ sent: 1, skipped: 2 });
    expect(received.at(-1)!.to).toBe('e@exemple.fr');
  });

  it('stops cleanly when interrupted: what was sent is recorded, the rest waits for the resume', async () => {
    const record = join(dir, 'abort.csv');
    const ctrl = new AbortController();
    const list = emailMessages(['P6', 'P7', 'P8'].map((id) => person(id, `${id.toLowerCase()}@exemple.fr`)), pack);
    const r = await runCampaign(list, await smtp(), { dryRun: false, perMinute: 60, recordPath: record, signal: ctrl.signal, onProgress: (p) => { if (p.sent === 1) ctrl.abort(new Error('Ctrl-C')); } });
    expect(r).toMatchObject({ sent: 1, interrupted: true });
    const resumed = await runCampaign(list, await smtp(), { dryRun: false, perMinute: 6000, recordPath: record });
    expect(resumed).toMatchObject({ sent: 2, skipped: 1, interrupted: false });
  });

  it('stops after repeated failures instead of burning through the list', async () => {
    const dead: DeliveryChannel = { name: 'email', cost: () => 1, deliver: async () => { throw new Error('connexion perdue'); }, close: async () => undefined };
    const list = emailMessages(['A', 'B', 'C', 'D'].map((id) => person(id, `${id}@exemple.fr`)), pack);
    expect(await runCampaign(list, dead, { dryRun: false, perMinute: 6000, recordPath: join(dir, 'dead.csv'), maxConsecutiveFailures: 2 })).toMatchObject({ failed: 2, stoppedOnFailures: true });
  });

  it('names what is wrong with the server address or the server, in French', async () => {
    expect(() => parseSmtpUrl('mailhost:25')).toThrow(/protocole « mailhost » non pris en charge/);
    expect(() => parseSmtpUrl('smtp//x')).toThrow(/Adresse du serveur SMTP illisible/);
    expect(parseSmtpUrl('smtps://u%40x:p%3Aw@mail.exemple.fr')).toEqual({ host: 'mail.exemple.fr', port: 465, secure: true, user: 'u@x', pass: 'p:w' });
    await expect(openSmtpChannel({ host: '127.0.0.1', port: 1, secure: false }, 'm@x.fr')).rejects.toThrow('Serveur SMTP 127.0.0.1:1 inutilisable : connexion refusée.');
  });
});
