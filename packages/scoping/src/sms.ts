// SMS over SMPP, the protocol French SMS aggregators offer: texts fitted to the GSM 03.38 alphabet
// (160 characters, 153 per part once split; the extension characters count twice), UCS-2 when a
// character has no GSM equivalent (70 / 67), long texts sent as concatenated parts (UDH).
import { createRequire } from 'node:module';
import { CampaignError, type DeliveryChannel, type Outgoing } from './send.ts';

// node-smpp is CommonJS without types; the few calls used are typed below.
interface Pdu { command_status: number; message_id?: string; response(options?: Record<string, unknown>): Pdu; [k: string]: unknown }
interface SmppSession {
  on(event: string, listener: (arg: any) => void): void;
  once(event: string, listener: (arg: any) => void): void;
  removeListener(event: string, listener: (arg: any) => void): void;
  // Each returns false when the socket is no longer writable (the callback is then never called).
  bind_transmitter(options: Record<string, unknown>, cb: (pdu: Pdu) => void): boolean;
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
  let url: URL;
  try { url = new URL(text); } catch { throw new CampaignError(`Adresse du serveur SMPP illisible : « ${text} » (attendu smpp://identifiant:motdepasse@hôte:port).`); }
  if (url.protocol !== 'smpp:' && url.protocol !== 'ssmpp:') throw new CampaignError(`Adresse du serveur SMPP : protocole « ${url.protocol.replace(/:$/, '')} » non pris en charge (attendu smpp:// ou ssmpp://).`);
  if (!url.hostname) throw new CampaignError(`Adresse du serveur SMPP sans nom d’hôte : « ${text} ».`);
  if (!url.username) throw new CampaignError('Adresse du serveur SMPP sans identifiant : attendu smpp://identifiant:motdepasse@hôte:port (fournis par l’opérateur SMS).');
  const tls = url.protocol === 'ssmpp:';
  return { host: url.hostname, port: url.port ? Number(url.port) : tls ? 3550 : 2775, tls, systemId: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}

const RESPONSE_TIMEOUT_MS = 30_000;

/** Binds as a transmitter (checking the credentials) before anything is sent. */
export async function openSmppChannel(target: SmppTarget, sender: string): Promise<DeliveryChannel> {
  if (!/^(?:[A-Za-z0-9 .-]{1,11}|\+?\d{3,15})$/.test(sender)) throw new CampaignError(`Émetteur SMS « ${sender} » invalide : 11 lettres ou chiffres au plus (ex. MAIRIE), ou un numéro.`);
  const where = `${target.host}:${target.port}`;
  const session = smpp.connect({ host: target.host, port: target.port, tls: target.tls });
  let broken: Error | null = null;
  session.on('error', (e: Error) => { broken = e; });
  session.on('close', () => { broken ??= new Error('connexion SMPP fermée par le serveur'); });
  let closed = false;
  session.on('close', () => { closed = true; });
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
    const bound = await call('la connexion', (cb) => session.bind_transmitter({ system_id: target.systemId, password: target.password }, cb));
    if (bound.command_status !== 0) throw new CampaignError(`Serveur SMPP ${where} : connexion refusée pour l’identifiant « ${target.systemId} » (code 0x${bound.command_status.toString(16).padStart(8, '0')}) ; vérifiez l’identifiant et le mot de passe.`);
  } catch (e) {
    session.destroy();
    throw e instanceof CampaignError ? e : new CampaignError(`Serveur SMPP ${where} : ${(e as Error).message}.`);
  }
  const alphanumeric = /[A-Za-z]/.test(sender);
  let reference = 0;
  return {
    name: 'sms',
    cost: (m: Outgoing) => planSms(m.text).parts.length,
    async deliver(m) {
      if (!isE164Mobile(m.to)) throw new Error(`numéro « ${m.to} » hors format international E.164 (+33…)`);
      const plan = planSms(m.text);
      if (plan.parts.length > 255) throw new Error(`message trop long (${plan.parts.length} parties)`);
      reference = (reference + 1) % 256;
      const ids: string[] = [];
      for (const [i, part] of plan.parts.entries()) {
        const payload = plan.encoding === 'gsm7' ? smpp.encodings.ASCII.encode(part) : smpp.encodings.UCS2.encode(part);
        // Concatenation header: IEI 0x00 (8-bit reference), reference, total parts, this part's number.
        const udh = plan.parts.length > 1 ? Buffer.from([0x05, 0x00, 0x03, reference, plan.parts.length, i + 1]) : null;
        const pdu = await call('l’envoi', (cb) => session.submit_sm({
          source_addr: sender.replace(/^\+/, ''), source_addr_ton: alphanumeric ? 5 : 1, source_addr_npi: alphanumeric ? 0 : 1,
          destination_addr: m.to.slice(1), dest_addr_ton: 1, dest_addr_npi: 1,
          data_coding: plan.encoding === 'gsm7' ? 0 : 8, esm_class: udh ? 0x40 : 0,
          short_message: udh ? Buffer.concat([udh, payload]) : payload,
        }, cb));
        if (pdu.command_status !== 0) throw new Error(`refusé par le serveur SMPP (code 0x${pdu.command_status.toString(16).padStart(8, '0')}${i ? `, partie ${i + 1}/${plan.parts.length}` : ''})`);
        ids.push(String(pdu.message_id ?? ''));
      }
      return ids.join(' ');
    },
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
