import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { openSmppChannel, parseReceipt, parseSmppUrl, planSms } from './sms.ts';
import { readRecord, runCampaign } from './send.ts';

// A real SMPP server (node-smpp's own), standing for the aggregator's SMSC.
const smpp = createRequire(import.meta.url)('smpp');
const dir = mkdtempSync(join(tmpdir(), 'rempart-sms-'));
interface Part { to: string; from: string; coding: number; udh: number[] | null; text: string }
const parts: Part[] = [];
let ids = 0;
const unreachable = new Set(['33600000000']);
const server = smpp.createServer((session: any) => {
  const bind = (pdu: any) => {
    const ok = pdu.system_id === 'mairie' && pdu.password === 's3cret';
    session.send(pdu.response(ok ? {} : { command_status: smpp.ESME_RBINDFAIL }));
  };
  session.on('bind_transmitter', bind);
  session.on('bind_transceiver', bind);
  session.on('submit_sm', (pdu: any) => {
    const m = pdu.short_message as { udh?: Buffer[]; message: string };
    parts.push({ to: pdu.destination_addr, from: pdu.source_addr, coding: pdu.data_coding, udh: m.udh?.[0] ? [...m.udh[0]] : null, text: m.message });
    const id = `M${++ids}`;
    session.send(pdu.response({ message_id: id }));
    // The SMSC's delivery receipt, in the SMPP 3.4 appendix B text form, when one was asked for.
    if (pdu.registered_delivery & 1) {
      const stat = unreachable.has(pdu.destination_addr) ? 'UNDELIV' : 'DELIVRD';
      session.deliver_sm({ source_addr: pdu.destination_addr, destination_addr: pdu.source_addr, esm_class: 0x04, short_message: `id:${id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2611280900 done date:2611280901 stat:${stat} err:${stat === 'DELIVRD' ? '000' : '001'} text:` });
    }
  });
  session.on('unbind', (pdu: any) => { session.send(pdu.response()); session.close(); });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as AddressInfo).port;
afterAll(async () => { await new Promise<void>((r) => server.close(() => r())); rmSync(dir, { recursive: true, force: true }); });
const target = (user = 'mairie', pass = 's3cret') => parseSmppUrl(`smpp://${user}:${pass}@127.0.0.1:${port}`);

describe('planSms', () => {
  it('folds French typography to GSM-7 and counts 160 / 153 per part, extension characters twice', () => {
    expect(planSms('Vos données ont fuité lors d’une cyberattaque : méfiez-vous.')).toMatchObject({ encoding: 'gsm7', text: "Vos données ont fuité lors d'une cyberattaque : méfiez-vous.", parts: [expect.any(String)] });
    expect(planSms('a'.repeat(160)).parts).toHaveLength(1);
    const two = planSms('a'.repeat(161));
    expect(two.parts.map((p) => p.length)).toEqual([153, 8]);
    expect(planSms('€'.repeat(80))).toMatchObject({ length: 160, parts: ['€'.repeat(80)] });
    // 81 euros are 162 septets: the 77th euro would straddle the 153-septet limit, and an escape pair is never cut.
    expect(planSms('€'.repeat(81)).parts.map((p) => p.length)).toEqual([76, 5]);
    expect(planSms('Reçu, être, cœur')).toMatchObject({ encoding: 'gsm7', text: 'Recu, etre, coeur' });
  });

  it('falls back to UCS-2 (70 / 67) when a character has no GSM equivalent', () => {
    expect(planSms('Привет')).toMatchObject({ encoding: 'ucs2', length: 6 });
    expect(planSms('ж'.repeat(71)).parts.map((p) => p.length)).toEqual([67, 4]);
  });
});

describe('SMS over SMPP', () => {
  it('sends a long text as concatenated GSM-7 parts to the mobile, resumes without sending twice', async () => {
    const text = 'La commune de Joinville-le-Pont : vos données figuraient dans des fichiers volés lors d’une cyberattaque. Méfiez-vous des appels se présentant comme la police. Un courrier suit. Contact : dpo@joinville.example';
    const plan = planSms(text);
    expect(plan.parts).toHaveLength(2);
    const record = join(dir, 'sms.csv');
    const list = [{ personId: 'P1', to: '+33612345678', text }, { personId: 'P2', to: '+33698765432', text: 'Court.' }];
    const waits: number[] = [];
    const opts = { dryRun: false, perMinute: 60, recordPath: record, sleep: async (ms: number) => { waits.push(ms); } };
    const r = await runCampaign(list, await openSmppChannel(target(), 'MAIRIE'), opts);
    expect(r).toMatchObject({ sent: 2, failed: 0 });
    expect(waits).toEqual([2000]); // two parts cost two submissions of the rate
    expect(parts.map((p) => [p.to, p.from, p.coding])).toEqual([['33612345678', 'MAIRIE', 0], ['33612345678', 'MAIRIE', 0], ['33698765432', 'MAIRIE', 0]]);
    expect(parts[0]!.udh!.slice(0, 3)).toEqual([0x00, 0x03, parts[0]!.udh![2]]);
    expect(parts[0]!.udh!.slice(3)).toEqual([2, 1]);
    expect(parts[1]!.udh!.slice(3)).toEqual([2, 2]);
    expect(parts[0]!.text + parts[1]!.text).toBe(plan.text);
    expect(parts[2]).toMatchObject({ udh: null, text: 'Court.' });
    expect(await runCampaign(list, await openSmppChannel(target(), 'MAIRIE'), opts)).toMatchObject({ sent: 0, skipped: 2 });
    expect(parts).toHaveLength(3);
  });

  it('asks for delivery receipts and records each message as remis / non remis, all parts counted', async () => {
    const record = join(dir, 'receipts.csv');
    const long = 'Message en deux parties : '.padEnd(200, 'x');
    const list = [{ personId: 'R1', to: '+33611111111', text: long }, { personId: 'R2', to: '+33600000000', text: 'Court.' }];
    const before = parts.length;
    const r = await runCampaign(list, await openSmppChannel(target(), 'MAIRIE', { receipts: true, receiptWaitMs: 5000 }), { dryRun: false, perMinute: 60_000, recordPath: record });
    expect(r).toMatchObject({ sent: 2, delivered: 1, undelivered: 1 });
    expect(parts.length - before).toBe(3);
    const rows = readFileSync(record, 'utf8').trim().split('\n').map((l) => l.split(','));
    const ids = rows.filter((x) => x[2] === 'envoyé').map((x) => x[4]);
    expect(ids[0]).toMatch(/^M\d+ M\d+$/); // one identifier per part
    expect(rows.filter((x) => x[2] === 'remis').map((x) => [x[0], x[4]])).toEqual([['R1', `${ids[0]} DELIVRD`]]);
    expect(rows.filter((x) => x[2] === 'non remis').map((x) => [x[0], x[4]])).toEqual([['R2', `${ids[1]} UNDELIV err:001`]]);
    // A message the network did not deliver left all the same: resuming does not send it again.
    expect([...readRecord(record).values()].sort()).toEqual(['non remis', 'remis']);
    expect(await runCampaign(list, await openSmppChannel(target(), 'MAIRIE', { receipts: true }), { dryRun: false, perMinute: 60_000, recordPath: record })).toMatchObject({ sent: 0, skipped: 2 });
  });

  it('reads receipts from the message_state / receipted_message_id fields and ignores intermediate ones', () => {
    expect(parseReceipt({ esm_class: 4, receipted_message_id: 'abc', message_state: 2, short_message: { message: '' } })).toMatchObject({ partId: 'abc', stat: 'DELIVRD' });
    expect(parseReceipt({ esm_class: 4, short_message: { message: 'id:9 stat:ENROUTE err:000' } })).toBeNull();
    expect(parseReceipt({ esm_class: 0, short_message: { message: 'id:9 stat:DELIVRD' } })).toBeNull(); // a reply from a person, not a receipt
    expect(parseReceipt({ esm_class: 4, short_message: { message: 'id:9 sub:001 dlvrd:000 stat:EXPIRED err:0a1' } })).toMatchObject({ partId: '9', stat: 'EXPIRED', error: '0a1' });
  });

  it('refuses a landline or a national number instead of sending it', async () => {
    const r = await runCampaign([{ personId: 'P3', to: '0612345678', text: 'x' }], await openSmppChannel(target(), 'MAIRIE'), { dryRun: false, recordPath: join(dir, 'bad.csv'), perMinute: 6000 });
    expect(r).toMatchObject({ failed: 1, sent: 0 });
  });

  it('says in French what is wrong: address, credentials, sender, unreachable server', async () => {
    expect(() => parseSmppUrl('http://x')).toThrow(/protocole « http » non pris en charge/);
    expect(() => parseSmppUrl('smpp://127.0.0.1:2775')).toThrow(/sans identifiant/);
    await expect(openSmppChannel(target('mairie', 'faux'), 'MAIRIE')).rejects.toThrow(/connexion refusée pour l’identifiant « mairie ».*mot de passe/);
    await expect(openSmppChannel(target(), 'MAIRIE DE JOINVILLE')).rejects.toThrow(/Émetteur SMS « MAIRIE DE JOINVILLE » invalide/);
    await expect(openSmppChannel(parseSmppUrl('smpp://u:p@127.0.0.1:1'), 'MAIRIE')).rejects.toThrow('Serveur SMPP 127.0.0.1:1 injoignable : connexion refusée.');
  });
});
