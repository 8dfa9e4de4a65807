// SMS over SMPP, the protocol French SMS aggregators offer: texts fitted to the GSM 03.38 alphabet
// (160 characters, 153 per part once split; the extension characters count twice), UCS-2 when a
// character has no GSM equivalent (70 / 67), long texts sent as concatenated parts (UDH).
import { createRequire } from 'node:module';
import { CampaignError, serverUrl, type DeliveryChannel, type DeliveryReceipt, type Outgoing } from './send.ts';

// node-smpp is CommonJS without types; the few calls used are typed below.
interface Pdu { command_status: number; message_id?: string; response(options?: Record<string, unknown>): Pdu; [k: string]: unknown }
interface SmppSession {
  on(event: string, listener: (arg: any) => void): void;
  once(event: string, listener: (arg: any) => void): void;
  removeListener(event: string, listener: (arg: any) => void): void;
  // Each returns false when the socket is no longer writable (the callback is then never called).
  bind_transmitter(options: Record<string, unknown>, cb: (pdu: Pdu) => void): boolean;
  bind_transceiver(options: Record<string, unknown>, cb: (pdu: Pdu) => void): boolean;
  bind_receiver(options: Record<string, unknown>, cb: (pdu: Pdu) => void): boolean;
  enquire_link(options: Record<string, unknown>, cb: (pdu: Pdu) => void): boolean;
  send(pdu: Pdu): boolean;
  submit_sm(options: Record<string, unknown>, cb: (pdu: Pdu) => void): boolean;
  unbind(options: Record<string, unknown>, cb: (pdu: Pdu) => void): boolean;
  close(cb?: () => void): void;
  destroy(cb?: () => void): void;
}
interface SmppModule {
  connect(options: { host: string; port: number; tls: boolean }): SmppSession;
  encodings: { ASCII: { encode(s: string): Buffer }; UCS2: { encode(s: string): Buffer } };
}
const smpp = createRequire(import.meta.url)('smpp') as SmppModule;

const GSM_BASIC = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');
const GSM_EXTENDED = new Set('\f^{}\\[~]|€');
// What French texts use that GSM lacks, replaced the way French aggregators do (ç → c, not Ç).
const FRENCH_TO_GSM: Record<string, string> = {
  '’': "'", '‘': "'", '“': '"', '”': '"', '«': '"', '»': '"', '–': '-', '—': '-', '…': '...', '\u00a0': ' ', '\u202f': ' ', '\t': ' ',
  'â': 'a', 'ç': 'c', 'ê': 'e', 'ë': 'e', 'î': 'i', 'ï': 'i', 'ô': 'o', 'û': 'u', 'ÿ': 'y', 'œ': 'oe',
  'À': 'A', 'Â': 'A', 'È': 'E', 'Ê': 'E', 'Ë': 'E', 'Î': 'I', 'Ï': 'I', 'Ô': 'O', 'Ù': 'U', 'Û': 'U', 'Ÿ': 'Y', 'Œ': 'OE',
};

export interface SmsPlan {
  encoding: 'gsm7' | 'ucs2';
  /** The text as it will arrive (French typography folded to GSM when possible). */
  text: string;
  /** Characters as the network counts them: septets in GSM-7, UTF-16 units in UCS-2. */
  length: number;
  parts: string[];
}

const gsmCost = (c: string) => (GSM_BASIC.has(c) ? 1 : GSM_EXTENDED.has(c) ? 2 : 0);

/** How a text travels as SMS: its alphabet, its length and its parts (160/153 or 70/67). */
export function planSms(input: string): SmsPlan {
  const folded = [...input.normalize('NFC')].map((c) => FRENCH_TO_GSM[c] ?? c).join('');
  const chars = [...folded];
  if (chars.every((c) => gsmCost(c) > 0)) {
    const length = chars.reduce((n, c) => n + gsmCost(c), 0);
    return { encoding: 'gsm7', text: folded, length, parts: length <= 160 ? [folded] : split(chars, gsmCost, 153) };
  }
  const text = input.normalize('NFC');
  const units = (c: string) => c.length; // a character outside the BMP takes two UTF-16 units
  const length = text.length;
  return { encoding: 'ucs2', text, length, parts: length <= 70 ? [text] : split([...text], units, 67) };
}

// Never cuts an escape sequence or a surrogate pair in two: each character goes whole into a part.
function split(chars: string[], cost: (c: string) => number, max: number): string[] {
  const parts: string[] = [];
  let current = '';
  let used = 0;
  for (const c of chars) {
    const n = cost(c);
    if (used + n > max) { parts.push(current); current = ''; used = 0; }
    current += c;
    used += n;
  }
  if (current) parts.push(current);
  return parts;
}

export const isE164Mobile = (to: string) => /^\+[1-9]\d{7,14}$/.test(to);

export interface SmppTarget { host: string; port: number; tls: boolean; systemId: string; password: string }

/** smpp://identifiant:motdepasse@hôte:port (ssmpp:// for TLS), as aggregators give them. */
export function parseSmppUrl(text: string): SmppTarget {
  const { url, secure: tls } = serverUrl(text, 'SMPP', 'smpp', 'ssmpp', 'smpp://identifiant:motdepasse@hôte:port');
  if (!url.username) throw new CampaignError('Adresse du serveur SMPP sans identifiant : attendu smpp://identifiant:motdepasse@hôte:port (fournis par l’opérateur SMS).');
  return { host: url.hostname, port: url.port ? Number(url.port) : tls ? 3550 : 2775, tls, systemId: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}

const RESPONSE_TIMEOUT_MS = 30_000;

// Final states of a delivery receipt (SMPP 3.4 appendix B text and message_state TLV); ACCEPTD and
// ENROUTE are intermediate and wait for the next receipt.
const FINAL_STAT: Record<string, boolean> = { DELIVRD: true, EXPIRED: false, DELETED: false, UNDELIV: false, REJECTD: false, UNKNOWN: false };
const STATE_NAME: Record<number, string> = { 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 7: 'UNKNOWN', 8: 'REJECTD' };

/** The message id and final state a deliver_sm carries, or null when it is not a final receipt. */
export function parseReceipt(pdu: Record<string, unknown>): { partId: string; stat: string; error: string } | null {
  // Bits 2-5 of esm_class equal to 0b0001 mark an SMSC delivery receipt (anything else is a mobile-originated SMS).
  if (((Number(pdu.esm_class) || 0) & 0x3c) !== 0x04) return null;
  const sm = pdu.short_message as { message?: unknown } | Buffer | string | undefined;
  const text = typeof sm === 'string' ? sm : Buffer.isBuffer(sm) ? sm.toString('latin1') : typeof sm?.message === 'string' ? sm.message : Buffer.isBuffer(sm?.message) ? sm.message.toString('latin1') : '';
  const partId = typeof pdu.receipted_message_id === 'string' && pdu.receipted_message_id ? pdu.receipted_message_id : /\bid:(\S+)/i.exec(text)?.[1];
  const stat = STATE_NAME[Number(pdu.message_state)] ?? /\bstat:(\w+)/i.exec(text)?.[1]?.toUpperCase();
  if (!partId || !stat || !(stat in FINAL_STAT)) return null;
  return { partId, stat, error: /\berr:(\w+)/i.exec(text)?.[1] ?? '' };
}

/** A final receipt for one SMS part as the SMSC sent it: its id, its state, and the handset number it names. */
export interface PartReceipt { partId: string; state: string; from: string }

export interface SmppOptions {
  /** Ask the SMSC for delivery receipts (registered_delivery) and bind as a transceiver to receive them. */
  receipts?: boolean;
  /** At close, how long to wait for the receipts still expected before unbinding (default 0). */
  receiptWaitMs?: number;
  /** Every final part receipt read on this session, including those of messages sent by another session. */
  onPartReceipt?: (r: PartReceipt) => void;
  /**
   * When the operator refuses a transceiver, send as a transmitter anyway: for the platform, whose
   * receipt listener binds as a receiver. Off for the CLI, which would then get no receipt at all.
   */
  transmitterFallback?: boolean;
}

type BindKind = 'transmitter' | 'transceiver' | 'receiver';

interface OpenSession {
  session: SmppSession;
  call(what: string, send: (cb: (pdu: Pdu) => void) => boolean): Promise<Pdu>;
  /** Resolves once the connection is gone, with why. */
  closed: Promise<Error>;
  broken(): Error | null;
  /** Unbinds when still possible, then closes (destroying the socket if the server does not). */
  close(): Promise<void>;
}

class BindRefused extends CampaignError {
  constructor(message: string, readonly status: number) { super(message); }
  /** Invalid password or system id (SMPP 3.4 codes 0x0E, 0x0F): another kind of bind would be refused too. */
  get credentials() { return this.status === 0x0e || this.status === 0x0f; }
}

const hex = (status: number) => `0x${status.toString(16).padStart(8, '0')}`;

/** Connects and binds; the error says in French what went wrong (BindRefused when the credentials or the bind kind are refused). */
async function openSession(target: SmppTarget, kind: BindKind): Promise<OpenSession> {
  const where = `${target.host}:${target.port}`;
  const session = smpp.connect({ host: target.host, port: target.port, tls: target.tls });
  let broken: Error | null = null;
  let closed = false;
  let onClosed: (e: Error) => void = () => undefined;
  const closedPromise = new Promise<Error>((resolve) => { onClosed = resolve; });
  session.on('error', (e: Error) => { broken = e; });
  session.on('close', () => { closed = true; broken ??= new Error('connexion SMPP fermée par le serveur'); onClosed(broken); });
  // The SMSC checks the link now and then and ends the bind itself: both need an answer.
  session.on('enquire_link', (pdu: Pdu) => { session.send(pdu.response()); });
  session.on('unbind', (pdu: Pdu) => { session.send(pdu.response()); session.close(); });
  const call = (what: string, send: (cb: (pdu: Pdu) => void) => boolean) => new Promise<Pdu>((resolve, reject) => {
    if (broken) { reject(broken); return; }
    const onClose = () => { clearTimeout(timer); reject(broken ?? new Error('connexion SMPP fermée')); };
    const timer = setTimeout(() => { session.removeListener('close', onClose); reject(new Error(`pas de réponse du serveur SMPP à ${what} en ${RESPONSE_TIMEOUT_MS / 1000} s`)); }, RESPONSE_TIMEOUT_MS);
    session.once('close', onClose);
    const written = send((pdu) => { clearTimeout(timer); session.removeListener('close', onClose); resolve(pdu); });
    if (!written) { clearTimeout(timer); session.removeListener('close', onClose); reject(broken ?? new Error('connexion SMPP fermée')); }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      session.once(target.tls ? 'secureConnect' : 'connect', () => resolve());
      session.once('error', (e: NodeJS.ErrnoException) => reject(new CampaignError(`Serveur SMPP ${where} injoignable : ${e.code === 'ECONNREFUSED' ? 'connexion refusée' : e.code === 'ENOTFOUND' ? 'nom d’hôte inconnu' : e.message}.`)));
    });
    const credentials = { system_id: target.systemId, password: target.password };
    const bound = await call('la connexion', (cb) => (kind === 'transceiver' ? session.bind_transceiver(credentials, cb) : kind === 'receiver' ? session.bind_receiver(credentials, cb) : session.bind_transmitter(credentials, cb)));
    if (bound.command_status !== 0) throw new BindRefused(`Serveur SMPP ${where} : connexion refusée pour l’identifiant « ${target.systemId} » (code ${hex(bound.command_status)}) ; vérifiez l’identifiant et le mot de passe.`, bound.command_status);
  } catch (e) {
    session.destroy();
    throw e instanceof CampaignError ? e : new CampaignError(`Serveur SMPP ${where} : ${(e as Error).message}.`);
  }
  return {
    session, call, closed: closedPromise, broken: () => broken,
    async close() {
      if (!broken) await call('la déconnexion', (cb) => session.unbind({}, cb)).catch(() => undefined);
      await new Promise<void>((resolve) => {
        if (closed) { resolve(); return; }
        session.close(() => resolve());
        setTimeout(() => { session.destroy(); resolve(); }, 2000).unref();
      });
    },
  };
}

/** Answers every deliver_sm (a receipt or a mobile-originated SMS alike) and hands the final part receipts on. */
function answerDeliveries(session: SmppSession, onPart: (r: PartReceipt) => void) {
  session.on('deliver_sm', (pdu: Pdu) => {
    session.send(pdu.response());
    const r = parseReceipt(pdu);
    // The network's error code says why a message was not delivered (000: no error given).
    if (r) onPart({ partId: r.partId, state: r.stat !== 'DELIVRD' && /[1-9a-f]/i.test(r.error) ? `${r.stat} err:${r.error}` : r.stat, from: String(pdu.source_addr ?? '') });
  });
}

export interface SmppReceiver {
  /** How the bind succeeded: some operators refuse a transceiver and only give receipts to a receiver. */
  readonly kind: 'transceiver' | 'receiver';
  /** Resolves when the connection is lost (the caller reconnects). */
  readonly closed: Promise<Error>;
  close(): Promise<void>;
}

/**
 * A session that only listens for delivery receipts, for those that arrive long after the campaign
 * unbound. Binds as a transceiver (or `prefer`), and as a receiver when the operator refuses it.
 */
export async function openSmppReceiver(target: SmppTarget, onPartReceipt: (r: PartReceipt) => void, options: { prefer?: 'transceiver' | 'receiver'; linkCheckMs?: number } = {}): Promise<SmppReceiver> {
  const order: ('transceiver' | 'receiver')[] = options.prefer === 'receiver' ? ['receiver', 'transceiver'] : ['transceiver', 'receiver'];
  let open: OpenSession | null = null;
  let kind = order[0]!;
  for (const k of order) {
    try {
      open = await openSession(target, k);
      kind = k;
      break;
    } catch (e) {
      // Only a refused bind is worth another kind; an unreachable server is the same for both.
      if (!(e instanceof BindRefused) || e.credentials || k === order[1]) throw e;
    }
  }
  const { session, call, closed, close } = open!;
  answerDeliveries(session, onPartReceipt);
  // A silent network drop leaves the socket open: a link check that gets no answer ends the session.
  const timer = setInterval(() => { call('la vérification du lien', (cb) => session.enquire_link({}, cb)).catch(() => session.destroy()); }, options.linkCheckMs ?? 60_000);
  timer.unref();
  void closed.then(() => clearInterval(timer));
  return { kind, closed, async close() { clearInterval(timer); await close(); } };
}

/**
 * Binds (checking the credentials) before anything is sent. With receipts, each message's outcome is
 * reported once, keyed by the identifier `deliver` returned: delivered when every part was, not
 * delivered as soon as one part is final and not delivered.
 */
export async function openSmppChannel(target: SmppTarget, sender: string, options: SmppOptions = {}): Promise<DeliveryChannel> {
  if (!/^(?:[A-Za-z0-9 .-]{1,11}|\+?\d{3,15})$/.test(sender)) throw new CampaignError(`Émetteur SMS « ${sender} » invalide : 11 lettres ou chiffres au plus (ex. MAIRIE), ou un numéro.`);
  // An operator that refuses a transceiver still sends the receipts to a receiver bind (the platform's listener).
  let receiving = !!options.receipts;
  const { session, call, broken, close } = await openSession(target, receiving ? 'transceiver' : 'transmitter').catch((e: unknown) => {
    if (!receiving || !options.transmitterFallback || !(e instanceof BindRefused) || e.credentials) throw e;
    receiving = false;
    return openSession(target, 'transmitter');
  });
  const alphanumeric = /[A-Za-z]/.test(sender);
  let reference = 0;
  // A message's parts each get their own receipt; the message's outcome waits for all of them.
  interface Tracked { ids: string[]; parts: number; states: Map<string, string>; reported: boolean }
  const byPart = new Map<string, Tracked>();
  const early = new Map<string, string>(); // receipts faster than our bookkeeping
  const listeners: ((r: DeliveryReceipt) => void)[] = [];
  let waiting: (() => void) | null = null;
  const outstanding = () => new Set(byPart.values()).size;
  const settle = (t: Tracked) => {
    if (t.reported || t.ids.length < t.parts) return;
    const failed = [...t.states.values()].find((s) => !FINAL_STAT[s.split(' ')[0]!]);
    if (!failed && t.states.size < t.parts) return;
    t.reported = true;
    for (const id of t.ids) byPart.delete(id);
    const receipt: DeliveryReceipt = { messageId: t.ids.join(' '), delivered: !failed, state: failed ?? 'DELIVRD' };
    for (const l of listeners) l(receipt);
    // outstanding() walks every tracked message: only asked once close() waits for the last receipts.
    if (waiting && !outstanding()) waiting();
  };
  const onPart = (partId: string, stat: string) => {
    const t = byPart.get(partId);
    if (!t) { early.set(partId, stat); return; }
    t.states.set(partId, stat);
    settle(t);
  };
  answerDeliveries(session, (r) => { options.onPartReceipt?.(r); onPart(r.partId, r.state); });
  return {
    name: 'sms',
    ...(options.receipts ? { onReceipt: (l: (r: DeliveryReceipt) => void) => { listeners.push(l); } } : {}),
    cost: (m: Outgoing) => planSms(m.text).parts.length,
    async deliver(m) {
      if (!isE164Mobile(m.to)) throw new Error(`numéro « ${m.to} » hors format international E.164 (+33…)`);
      const plan = planSms(m.text);
      if (plan.parts.length > 255) throw new Error(`message trop long (${plan.parts.length} parties)`);
      reference = (reference + 1) % 256;
      const ids: string[] = [];
      const tracked: Tracked = { ids, parts: plan.parts.length, states: new Map(), reported: false };
      for (const [i, part] of plan.parts.entries()) {
        const payload = plan.encoding === 'gsm7' ? smpp.encodings.ASCII.encode(part) : smpp.encodings.UCS2.encode(part);
        // Concatenation header: IEI 0x00 (8-bit reference), reference, total parts, this part's number.
        const udh = plan.parts.length > 1 ? Buffer.from([0x05, 0x00, 0x03, reference, plan.parts.length, i + 1]) : null;
        const pdu = await call('l’envoi', (cb) => session.submit_sm({
          source_addr: sender.replace(/^\+/, ''), source_addr_ton: alphanumeric ? 5 : 1, source_addr_npi: alphanumeric ? 0 : 1,
          destination_addr: m.to.slice(1), dest_addr_ton: 1, dest_addr_npi: 1,
          data_coding: plan.encoding === 'gsm7' ? 0 : 8, esm_class: udh ? 0x40 : 0,
          short_message: udh ? Buffer.concat([udh, payload]) : payload,
          ...(options.receipts ? { registered_delivery: 1 } : {}),
        }, (resp) => {
          // Registered in the response's own callback: a receipt read from the same packet is handled right after it.
          if (resp.command_status === 0) ids.push(String(resp.message_id ?? ''));
          if (options.receipts && resp.command_status === 0 && resp.message_id) {
            const id = String(resp.message_id);
            byPart.set(id, tracked);
            const got = early.get(id);
            if (got) { early.delete(id); tracked.states.set(id, got); }
          }
          cb(resp);
        }));
        if (pdu.command_status !== 0) {
          for (const id of ids) byPart.delete(id);
          throw new Error(`refusé par le serveur SMPP (code ${hex(pdu.command_status)}${i ? `, partie ${i + 1}/${plan.parts.length}` : ''})`);
        }
      }
      if (options.receipts) settle(tracked);
      return ids.join(' ');
    },
    async close() {
      // Receipts usually follow within seconds: wait for them a little, not for ever.
      if (receiving && options.receiptWaitMs && outstanding() && !broken()) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.receiptWaitMs);
          waiting = () => { clearTimeout(timer); resolve(); };
        });
      }
      await close();
    },
  };
}
