import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSynthetic, phoneKey, syntheticCsv, SYNTHETIC_MAPPING } from '@rempart/scoping';
import { runNotify, runScope } from './scope.ts';

const dir = mkdtempSync(join(tmpdir(), 'cli-scope-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mapping = join(dir, 'm.yml');
writeFileSync(mapping, SYNTHETIC_MAPPING);
const io = () => { const o = { out: '', err: '' }; return { o, io: { stdout: (t: string) => { o.out += t; }, stderr: (t: string) => { o.err += t; } } }; };

describe('rempart scope', () => {
  it('writes the result files and says how many persons, within the perimeter', async () => {
    const file = join(dir, 'extract.csv');
    writeFileSync(file, syntheticCsv(generateSynthetic(800, 2)));
    const { o, io: x } = io();
    const out = join(dir, 'out');
    const code = await runScope([file], { mapping, out, since: '01/01/2022', modules: 'main_courante,otv', date: '2025-01-15' }, x);
    expect(code).toBe(0);
    for (const f of ['assignments.csv', 'persons.csv', 'summary.json', 'review.csv', 'report.html', 'letters.pdf', 'sms.csv', 'emails.csv', 'notifications.ndjson']) expect(existsSync(join(out, f)), f).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(Object.keys(summary.records_by_module).sort()).toEqual(['main_courante', 'otv']);
    expect(o.out).toContain(`${summary.persons.toLocaleString('fr-FR').replace(/\u202f|\u00a0/g, ' ')} personnes distinctes`);
  });

  it('takes an organisation risk matrix and refuses a broken one', async () => {
    const file = join(dir, 'risks.csv');
    writeFileSync(file, syntheticCsv(generateSynthetic(300, 6)));
    const matrix = join(dir, 'risks.yml');
    writeFileSync(matrix, 'phishing: { enabled: false, label: h, why: w, reason: r, when: { categories_any: [contact] } }\n');
    const out = join(dir, 'out-risks');
    expect(await runScope([file], { mapping, out, date: '2025-01-15', risks: matrix }, io().io)).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).by_risk.phishing).toBeUndefined();
    writeFileSync(matrix, 'phishing: { label: h }\n');
    const { o, io: x } = io();
    expect(await runScope([file], { mapping, out, risks: matrix }, x)).toBe(2);
    expect(o.err).toContain('Matrice des risques invalide');
  });

  it('explains in French what is wrong instead of crashing', async () => {
    const { o, io: x } = io();
    expect(await runScope([join(dir, 'absent.csv')], { mapping }, x)).toBe(2);
    expect(o.err).toContain('fichier introuvable');
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'format: xml\n');
    const file = join(dir, 'one.csv');
    writeFileSync(file, 'Nom\nDupont\n');
    const y = io();
    expect(await runScope([file], { mapping: bad }, y.io)).toBe(2);
    expect(y.o.err).toContain('correspondance invalide');
    const z = io();
    expect(await runScope([file], { mapping, out: join(dir, 'o2') }, z.io)).toBe(2);
    expect(z.o.err).toMatch(/one\.csv.*colonne/);
    const w = io();
    expect(await runScope([file], { mapping, since: '31/02/2024' }, w.io)).toBe(2);
    expect(w.o.err).toContain('date illisible');
  });
});

// ---------------------------------------------------------------------------------------------
// `rempart scope notify`: real SMTP and SMPP servers in the process.

interface Mail { to: string; text: string }
// Quoted-printable as nodemailer writes it: soft breaks, then =XX bytes of UTF-8.
const unQp = (raw: string) => {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4).replace(/=\r\n/g, '');
  return Buffer.from(body.replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8').replace(/\r\n/g, '\n').trim();
};

async function startSmtp(onMail?: (n: number) => void) {
  const inbox: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => { inbox.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), text: unQp(Buffer.concat(chunks).toString('latin1')) }); cb(); onMail?.(inbox.length); });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { inbox, url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('rempart scope notify', () => {
  const out = join(dir, 'pack');
  const pack = () => readFileSync(join(out, 'notifications.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { person_id: string; minor: boolean; email: string | null; mobile: string | null; email_text: string | null; sms_text: string | null });
  const risksOf = () => new Map(readFileSync(join(out, 'persons.csv'), 'utf8').trim().split('\n').slice(1).map((l) => { const c = l.split(','); return [c[0]!, c[7]!.split('|').filter(Boolean)]; }));

  it('writes the same notification pack twice, one line per person reachable by email or mobile', async () => {
    const file = join(dir, 'notify.csv');
    writeFileSync(file, syntheticCsv(generateSynthetic(400, 11)));
    expect(await runScope([file], { mapping, out, date: '2025-01-15', organisation: 'La commune de Joinville-le-Pont', dpo: 'dpo@joinville.example' }, io().io)).toBe(0);
    const first = readFileSync(join(out, 'notifications.ndjson'));
    expect(await runScope([file], { mapping, out: join(dir, 'pack2'), date: '2025-01-15', organisation: 'La commune de Joinville-le-Pont', dpo: 'dpo@joinville.example' }, io().io)).toBe(0);
    expect(readFileSync(join(dir, 'pack2', 'notifications.ndjson')).equals(first)).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(pack().filter((p) => p.email)).toHaveLength(summary.reachable.email);
    expect(pack().filter((p) => p.mobile)).toHaveLength(summary.reachable.sms);
  });

  it('dry run by default: nothing reaches the server, the simulation lists every message', async () => {
    const smtp = await startSmtp();
    try {
      const { o, io: x } = io();
      expect(await runNotify(out, { smtp: smtp.url, from: 'dpo@joinville.example' }, x, undefined, {})).toBe(0);
      expect(smtp.inbox).toHaveLength(0);
      expect(o.err).toContain('Simulation : aucun courriel ne sera envoyé');
      const simulated = readFileSync(join(out, 'dry-run-email.csv'), 'utf8').trim().split('\n').slice(1);
      expect(simulated).toHaveLength(pack().filter((p) => p.email && !p.minor).length);
      // Minors are left to the letter to their legal representatives unless asked for.
      const minors = pack().filter((p) => p.email && p.minor).length;
      expect(minors).toBeGreaterThan(0);
      expect(o.out).toContain(`${minors} mineurs non contactés`);
      expect(await runNotify(out, { includeMinors: true }, io().io, undefined, {})).toBe(0);
      expect(readFileSync(join(out, 'dry-run-email.csv'), 'utf8').trim().split('\n').slice(1)).toHaveLength(simulated.length + minors);
      expect(existsSync(join(out, 'sent-email.csv'))).toBe(false);
    } finally { await smtp.close(); }
  });

  it('sends one email per reachable person with the text of their risks; Ctrl-C then the same command finishes without sending twice', async () => {
    const ctrl = new AbortController();
    const smtp = await startSmtp((n) => { if (n === 3) ctrl.abort(new Error('Ctrl-C')); });
    try {
      const first = io();
      expect(await runNotify(out, { send: true, perMinute: '60000', from: 'Mairie <dpo@joinville.example>' }, first.io, ctrl.signal, { SMTP_URL: smtp.url })).toBe(130);
      expect(first.o.err).toContain('Interrompu : relancez la même commande');
      expect(smtp.inbox).toHaveLength(3);
      const second = io();
      expect(await runNotify(out, { send: true, perMinute: '60000', from: 'Mairie <dpo@joinville.example>' }, second.io, undefined, { SMTP_URL: smtp.url })).toBe(0);
      expect(second.o.out).toMatch(/Courriels : \d+ envoyés, 3 déjà envoyés/);
      const expected = pack().filter((p) => p.email && !p.minor);
      expect(smtp.inbox.map((m) => m.to).sort()).toEqual(expected.map((p) => p.email!).sort());
      // Persons of one household may share an address: match each message to a person by address and text.
      const risks = risksOf();
      const pool = [...expected];
      for (const m of smtp.inbox) {
        const at = pool.findIndex((p) => p.email === m.to && p.email_text === m.text);
        expect(at, `message to ${m.to} matches no person's text`).toBeGreaterThanOrEqual(0);
        const [p] = pool.splice(at, 1);
        const r = risks.get(p!.person_id)!;
        expect(m.text.includes('Risque de cambriolage'), `${p!.person_id} ${r}`).toBe(r.includes('burglary'));
        expect(m.text.includes('Risque de hameçonnage')).toBe(r.includes('phishing'));
        expect(m.text.includes('Risque de représailles')).toBe(r.includes('retaliation'));
      }
      expect(new Set(smtp.inbox.flatMap((m) => (m.text.includes('Risque de cambriolage') ? ['b'] : ['n']))).size).toBe(2);
      const third = io();
      expect(await runNotify(out, { send: true, from: 'dpo@joinville.example' }, third.io, undefined, { SMTP_URL: smtp.url })).toBe(0);
      expect(third.o.out).toContain(`Courriels : 0 envoyés, ${expected.length} déjà envoyés`);
      expect(smtp.inbox).toHaveLength(expected.length);
    } finally { await smtp.close(); }
  });

  it('names what is wrong: server address, unreachable server, missing sender or folder', async () => {
    const bad = io();
    expect(await runNotify(out, { send: true, smtp: 'smtp//127.0.0.1:25', from: 'dpo@joinville.example' }, bad.io, undefined, {})).toBe(2);
    expect(bad.o.err).toContain('Erreur : Adresse du serveur SMTP illisible : « smtp//127.0.0.1:25 »');
    const down = io();
    expect(await runNotify(out, { send: true, smtp: 'smtp://127.0.0.1:1', from: 'dpo@joinville.example' }, down.io, undefined, {})).toBe(2);
    expect(down.o.err).toContain('Serveur SMTP 127.0.0.1:1 inutilisable : connexion refusée');
    const noFrom = io();
    expect(await runNotify(out, { send: true, smtp: 'smtp://127.0.0.1:25' }, noFrom.io, undefined, {})).toBe(2);
    expect(noFrom.o.err).toContain('expéditeur manquant');
    const noPack = io();
    expect(await runNotify(dir, {}, noPack.io, undefined, {})).toBe(2);
    expect(noPack.o.err).toMatch(/notifications\.ndjson introuvable : lancez d’abord « rempart scope/);
    const sms = io();
    expect(await runNotify(out, { channel: 'sms', send: true, sender: 'MAIRIE' }, sms.io, undefined, {})).toBe(2);
    expect(sms.o.err).toContain('serveur SMS manquant');
  });

  it('sends the SMS over SMPP in GSM-7 parts, to mobiles only, records receipts, and resumes without sending twice', async () => {
    const smpp = createRequire(import.meta.url)('smpp');
    const received: { to: string; udh: number[] | null; text: string }[] = [];
    let undeliverable = '';
    const server = smpp.createServer((session: any) => {
      // Receipts come back on the same session: the CLI binds as a transceiver.
      session.on('bind_transceiver', (pdu: any) => session.send(pdu.response(pdu.password === 'secret' ? {} : { command_status: smpp.ESME_RBINDFAIL })));
      session.on('submit_sm', (pdu: any) => {
        received.push({ to: pdu.destination_addr, udh: pdu.short_message.udh?.[0] ? [...pdu.short_message.udh[0]] : null, text: pdu.short_message.message });
        const id = String(received.length);
        session.send(pdu.response({ message_id: id }));
        undeliverable ||= pdu.destination_addr;
        const stat = pdu.destination_addr === undeliverable ? 'UNDELIV' : 'DELIVRD';
        if (pdu.registered_delivery & 1) session.deliver_sm({ source_addr: pdu.destination_addr, destination_addr: pdu.source_addr, esm_class: 4, short_message: `id:${id} sub:001 dlvrd:001 submit date:2611280900 done date:2611280900 stat:${stat} err:000 text:` });
      });
      session.on('unbind', (pdu: any) => { session.send(pdu.response()); session.close(); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `smpp://rempart:secret@127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const wrong = io();
      expect(await runNotify(out, { channel: 'sms', send: true, smpp: url.replace('secret', 'oops'), sender: 'MAIRIE' }, wrong.io, undefined, {})).toBe(2);
      expect(wrong.o.err).toMatch(/connexion refusée pour l’identifiant « rempart »/);
      const mobiles = pack().filter((p) => p.mobile && !p.minor);
      const { o, io: x } = io();
      expect(await runNotify(out, { channel: 'sms', send: true, smpp: url, sender: 'MAIRIE', perMinute: '60000' }, x, undefined, {})).toBe(0);
      expect(o.out).toContain(`SMS : ${mobiles.length} envoyés`);
      expect(o.out).toContain(`accusés de réception : ${mobiles.length - 1} remis, 1 non remis`);
      const record = readFileSync(join(out, 'sent-sms.csv'), 'utf8');
      expect(record.match(/,remis,/g)).toHaveLength(mobiles.length - 1);
      expect(record.split('\n').filter((l) => l.split(',')[2] === 'non remis').map((l) => l.split(',')[1])).toEqual([`+${undeliverable}`]);
      // Reassemble the concatenated parts: each person gets their whole text, once.
      const messages: string[] = [];
      let current = '';
      for (const r of received) {
        current += r.text;
        if (!r.udh || r.udh[4] === r.udh[3]) { messages.push(`${r.to} ${current}`); current = ''; }
      }
      expect(messages.sort()).toEqual(mobiles.map((p) => `${p.mobile!.slice(1)} ${p.sms_text!.replace(/’/g, "'")}`).sort());
      expect(received.every((r) => phoneKey(`+${r.to}`)?.mobile)).toBe(true);
      expect(received.filter((r) => r.udh).length).toBeGreaterThan(0);
      const count = received.length;
      expect(await runNotify(out, { channel: 'sms', send: true, smpp: url, sender: 'MAIRIE' }, io().io, undefined, {})).toBe(0);
      expect(received).toHaveLength(count);
    } finally { await new Promise<void>((r) => server.close(() => r())); }
  });
});
