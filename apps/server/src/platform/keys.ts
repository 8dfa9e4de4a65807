// Keys live outside the database: REMPART_MASTER_KEY, or a key file in the data folder that the
// quick start creates (mode 0600). Everything else is derived from the master key with HKDF, so
// one secret has to be kept safe (and offline) to read encrypted columns and backups.
import {
  createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey,
  hkdfSync, randomBytes, sign, verify, type KeyObject,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface Keys {
  /** AES-256-GCM for personal data and secrets at rest. */
  encrypt(plain: string, associatedData: string): string;
  decrypt(sealed: string, associatedData: string): string;
  /** Keyed hash for tokens kept in the database (sessions, invitations). */
  tokenHash(token: string): string;
  /** Ed25519 signature of audit checkpoints. */
  sign(message: string): string;
  verify(message: string, signature: string, publicKey?: string): boolean;
  publicKey: string;
  /** Key for files the platform stores (evidence); leaked datasets get a key of their own instead. */
  fileKey: Buffer;
  /** Wraps and unwraps a per-dataset key with the master key, bound to its owner. */
  wrapKey(key: Buffer, associatedData: string): string;
  unwrapKey(wrapped: string, associatedData: string): Buffer;
}

/** AES-256-GCM over bytes: 12-byte nonce, 16-byte tag, then the ciphertext. */
export function sealBuffer(key: Buffer, data: Buffer, associatedData: string): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(data), cipher.final()]);
  return Buffer.concat([Buffer.from('RB1'), nonce, cipher.getAuthTag(), body]);
}

export function openBuffer(key: Buffer, sealed: Buffer, associatedData: string): Buffer {
  if (sealed.length < 31 || sealed.subarray(0, 3).toString() !== 'RB1') throw new Error('unknown sealed file format');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(3, 15));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(sealed.subarray(15, 31));
  return Buffer.concat([decipher.update(sealed.subarray(31)), decipher.final()]);
}

const MASTER_KEY_FILE = 'keys/master.key';

export function parseMasterKey(text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) {
    throw new Error('La clé maîtresse doit faire 32 octets encodés en base64 (openssl rand -base64 32).');
  }
  return key;
}

/** Reads the master key from config or the data folder; never creates one (see ensureKeyFile). */
export async function loadMasterKey(options: { masterKey?: string; dataDir: string }): Promise<Buffer> {
  if (options.masterKey) return parseMasterKey(options.masterKey);
  const file = path.join(options.dataDir, MASTER_KEY_FILE);
  try {
    return parseMasterKey(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `Aucune clé maîtresse : définissez REMPART_MASTER_KEY ou lancez « npx rempart init » (fichier attendu : ${file}). ` +
          'Rempart refuse de démarrer plutôt que de stocker des données personnelles en clair.',
      );
    }
    throw error;
  }
}

export async function ensureKeyFile(dataDir: string): Promise<{ created: boolean; file: string }> {
  const file = path.join(dataDir, MASTER_KEY_FILE);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
    return { created: true, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { created: false, file };
    throw error;
  }
}

function derive(master: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `rempart:${label}`, 32));
}

// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410), so the signing key is derived, not stored.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function createKeys(master: Buffer): Keys {
  const dataKey = derive(master, 'data-encryption');
  const tokenKey = derive(master, 'token-hash');
  const privateKey: KeyObject = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, derive(master, 'audit-signing')]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKeyObject = createPublicKey(privateKey);
  const publicKey = publicKeyObject.export({ format: 'der', type: 'spki' }).toString('base64');

  return {
    encrypt(plain, associatedData) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', dataKey, nonce);
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    decrypt(sealed, associatedData) {
      if (!sealed.startsWith('v1.')) throw new Error('unknown ciphertext version');
      const raw = Buffer.from(sealed.slice(3), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', dataKey, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
    tokenHash(token) {
      return createHmac('sha256', tokenKey).update(token).digest('base64url');
    },
    sign(message) {
      return sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64');
    },
    verify(message, signature, key = publicKey) {
      const pub = createPublicKey({ key: Buffer.from(key, 'base64'), format: 'der', type: 'spki' });
      return verify(null, Buffer.from(message, 'utf8'), pub, Buffer.from(signature, 'base64'));
    },
    publicKey,
    fileKey: derive(master, 'file-encryption'),
    wrapKey(key, associatedData) {
      return this.encrypt(key.toString('base64'), `wrapped-key:${associatedData}`);
    },
    unwrapKey(wrapped, associatedData) {
      return Buffer.from(this.decrypt(wrapped, `wrapped-key:${associatedData}`), 'base64');
    },
  };
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');
