// Files sealed chunk by chunk, so a multi-gigabyte log export is encrypted and decrypted with a
// constant amount of memory. Layout (version 2):
//   "RB2" | chunk size (uint32 BE) | salt (32 bytes) | chunk 0 | chunk 1 | … | final chunk
// each chunk being its AES-256-GCM ciphertext followed by its 16-byte tag. The key of a file is
// derived from the file key, the random salt and the binding (HKDF), so chunks cannot be moved from
// one file to another; the chunk index and a final-chunk flag are in each chunk's associated data,
// so reordering, truncation at a chunk boundary and a dropped last chunk all fail authentication.
// Version 1 ("RB1", one GCM message, see sealBuffer) stays readable.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { openBuffer } from './keys.ts';

const STREAM_MAGIC = Buffer.from('RB2');
const DEFAULT_CHUNK_SIZE = 64 * 1024;
const TAG = 16;
const SALT = 32;
const HEADER = STREAM_MAGIC.length + 4 + SALT;
// A chunk size outside this range is a damaged header, not a file to allocate memory for.
const MIN_CHUNK = 1024;
const MAX_CHUNK = 8 * 1024 * 1024;
// Version 1 files were sealed in memory, at most REMPART_MAX_UPLOAD_MB's former ceiling (2048 MB).
const MAX_V1_BYTES = 2048 * 1024 * 1024 + 64;

/** Raised for any sealed file that cannot be opened: altered, truncated, reordered, or not ours. */
export class SealedFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedFileError';
  }
}

function fileKey(key: Buffer, salt: Buffer, binding: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, salt, `rempart:sealed-stream:${binding}`, 32));
}

function nonce(index: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(index), 4);
  return n;
}

function chunkAad(header: Buffer, index: number, final: boolean): Buffer {
  const tail = Buffer.alloc(9);
  tail.writeBigUInt64BE(BigInt(index), 0);
  tail[8] = final ? 1 : 0;
  return Buffer.concat([header, tail]);
}

/** Encrypts whatever is written to it; the output is the version 2 layout above. */
export class SealStream extends Transform {
  private readonly header: Buffer;
  private readonly key: Buffer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  /** Largest amount of plaintext held at once (tests check memory stays bounded by the chunk size). */
  peakBuffered = 0;

  constructor(key: Buffer, binding: string, private readonly chunkSize = DEFAULT_CHUNK_SIZE) {
    super();
    if (chunkSize < MIN_CHUNK || chunkSize > MAX_CHUNK) throw new RangeError(`chunk size out of range: ${chunkSize}`);
    const salt = randomBytes(SALT);
    const size = Buffer.alloc(4);
    size.writeUInt32BE(chunkSize);
    this.header = Buffer.concat([STREAM_MAGIC, size, salt]);
    this.key = fileKey(key, salt, binding);
    this.push(this.header);
  }

  private seal(plain: Buffer, final: boolean): void {
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce(this.index));
    cipher.setAAD(chunkAad(this.header, this.index, final));
    this.push(Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]));
    this.index += 1;
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending.push(data);
    this.pendingBytes += data.length;
    this.peakBuffered = Math.max(this.peakBuffered, this.pendingBytes);
    // A full chunk is sealed only once a byte beyond it is known: the last chunk must carry the final flag.
    if (this.pendingBytes > this.chunkSize) {
      let all = Buffer.concat(this.pending);
      while (all.length > this.chunkSize) {
        this.seal(all.subarray(0, this.chunkSize), false);
        all = all.subarray(this.chunkSize);
      }
      this.pending = [Buffer.from(all)];
      this.pendingBytes = all.length;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.seal(Buffer.concat(this.pending), true);
    this.pending = [];
    done();
  }
}

/** Decrypts a sealed file (version 1 or 2), failing with SealedFileError on any alteration. */
export class OpenStream extends Transform {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private header: Buffer | null = null;
  private key: Buffer | null = null;
  private version: 1 | 2 | null = null;
  private record = 0;
  private index = 0;
  peakBuffered = 0;

  constructor(private readonly masterKey: Buffer, private readonly binding: string) {
    super();
  }

  private takeBytes(n: number): Buffer {
    const all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
    const head = all.subarray(0, n);
    const rest = all.subarray(n);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.bufferedBytes = rest.length;
    return head;
  }

  private open(sealed: Buffer, final: boolean): Buffer {
    if (sealed.length < TAG) throw new SealedFileError('fichier tronqué');
    const decipher = createDecipheriv('aes-256-gcm', this.key!, nonce(this.index));
    decipher.setAAD(chunkAad(this.header!, this.index, final));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    try {
      const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG)), decipher.final()]);
      this.index += 1;
      return plain;
    } catch {
      throw new SealedFileError(final ? `bloc ${this.index} altéré, ou fichier tronqué ou privé de sa fin` : `bloc ${this.index} altéré ou déplacé`);
    }
  }

  private readHeader(): boolean {
    if (this.bufferedBytes < 3) return false;
    const magic = Buffer.concat(this.buffered).subarray(0, 3).toString('latin1');
    if (magic === 'RB1') {
      this.version = 1;
      return true;
    }
    if (magic !== 'RB2') throw new SealedFileError('format de fichier scellé inconnu');
    if (this.bufferedBytes < HEADER) return false;
    const header = Buffer.from(this.takeBytes(HEADER));
    const chunkSize = header.readUInt32BE(3);
    if (chunkSize < MIN_CHUNK || chunkSize > MAX_CHUNK) throw new SealedFileError('en-tête de fichier scellé altéré');
    this.header = header;
    this.record = chunkSize + TAG;
    this.key = fileKey(this.masterKey, header.subarray(7, 7 + SALT), this.binding);
    this.version = 2;
    return true;
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.buffered.push(data);
      this.bufferedBytes += data.length;
      this.peakBuffered = Math.max(this.peakBuffered, this.bufferedBytes);
      if (this.version === null && !this.readHeader()) return done();
      if (this.version === 1) {
        if (this.bufferedBytes > MAX_V1_BYTES) throw new SealedFileError('fichier scellé (version 1) trop grand');
        return done();
      }
      // Keep at least one byte beyond a record: only the very last record is the final chunk.
      while (this.bufferedBytes > this.record) this.push(this.open(this.takeBytes(this.record), false));
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.version === null) throw new SealedFileError('fichier scellé vide ou tronqué');
      if (this.version === 1) {
        try {
          this.push(openBuffer(this.masterKey, Buffer.concat(this.buffered), this.binding));
        } catch {
          throw new SealedFileError('fichier altéré');
        }
      } else {
        this.push(this.open(this.takeBytes(this.bufferedBytes), true));
      }
      this.buffered = [];
      done();
    } catch (error) {
      done(error as Error);
    }
  }
}
