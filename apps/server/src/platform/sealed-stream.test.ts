import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { sealBuffer } from './keys.ts';
import { OpenStream, SealedFileError, SealStream } from './sealed-stream.ts';

const key = randomBytes(32);
const CHUNK = 4096;
const RECORD = CHUNK + 16;
const HEADER = 39;

async function collect(source: Readable, through: SealStream | OpenStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(source, through, new Writable({ write(chunk, _e, done) { parts.push(chunk); done(); } }));
  return Buffer.concat(parts);
}

const seal = (data: Buffer, binding = 'evidence:a:1', chunkSize = CHUNK) => collect(Readable.from([data]), new SealStream(key, binding, chunkSize));
const open = (sealed: Buffer, binding = 'evidence:a:1') => collect(Readable.from([sealed]), new OpenStream(key, binding));

describe('chunked sealed files', () => {
  it('round-trips sizes around the chunk boundaries, empty included', async () => {
    for (const size of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17]) {
      const data = randomBytes(size);
      const sealed = await seal(data);
      expect(sealed.subarray(0, 3).toString()).toBe('RB2');
      expect(sealed.length).toBe(HEADER + Math.max(1, Math.ceil(size / CHUNK)) * 16 + size);
      expect((await open(sealed)).equals(data), `size ${size}`).toBe(true);
    }
  });

  it('streams 20 MB generated on the fly holding at most about one chunk on each side', async () => {
    const total = 20 * 1024 * 1024;
    const block = Buffer.alloc(10_000);
    function* generate() {
      for (let sent = 0; sent < total; sent += block.length) {
        block.fill(sent % 251);
        yield Buffer.from(block.subarray(0, Math.min(block.length, total - sent)));
      }
    }
    const plainHash = createHash('sha256');
    for (const b of generate()) plainHash.update(b);
    const sealer = new SealStream(key, 'evidence:a:big', 64 * 1024);
    const opener = new OpenStream(key, 'evidence:a:big');
    const outHash = createHash('sha256');
    let bytes = 0;
    await pipeline(Readable.from(generate()), sealer, opener, new Writable({ write(chunk: Buffer, _e, done) { outHash.update(chunk); bytes += chunk.length; done(); } }));
    expect(bytes).toBe(total);
    expect(outHash.digest('hex')).toBe(plainHash.digest('hex'));
    // Bounded by one chunk plus one incoming piece, whatever the size of the file.
    expect(sealer.peakBuffered).toBeLessThan(64 * 1024 + 2 * block.length);
    expect(opener.peakBuffered).toBeLessThan(2 * (64 * 1024 + 16) + 2 * block.length);
  });

  it('refuses a flipped byte, a truncation, a dropped last chunk, swapped chunks and a chunk from another file', async () => {
    const data = randomBytes(3 * CHUNK + 100);
    const sealed = await seal(data);
    const chunk = (s: Buffer, i: number) => s.subarray(HEADER + i * RECORD, HEADER + (i + 1) * RECORD);
    const flipped = Buffer.from(sealed);
    flipped[HEADER + RECORD + 10]! ^= 1;
    const headerFlipped = Buffer.from(sealed);
    headerFlipped[10]! ^= 1;
    const truncatedMid = sealed.subarray(0, sealed.length - 40);
    const atBoundary = sealed.subarray(0, HEADER + 2 * RECORD);
    const dropLast = sealed.subarray(0, HEADER + 3 * RECORD);
    const swapped = Buffer.concat([sealed.subarray(0, HEADER), chunk(sealed, 1), chunk(sealed, 0), sealed.subarray(HEADER + 2 * RECORD)]);
    const other = await seal(randomBytes(3 * CHUNK + 100), 'evidence:a:2');
    const foreign = Buffer.concat([sealed.subarray(0, HEADER + RECORD), chunk(other, 1), sealed.subarray(HEADER + 2 * RECORD)]);
    const cases = { flipped, headerFlipped, truncatedMid, atBoundary, dropLast, swapped, foreign, headerOnly: sealed.subarray(0, HEADER), empty: Buffer.alloc(0), garbage: randomBytes(500) };
    for (const [name, bytes] of Object.entries(cases)) {
      const error = await open(bytes).then(() => null, (e: unknown) => e);
      expect(error, name).toBeInstanceOf(SealedFileError);
    }
    // Same bytes under another binding (another organisation or piece): refused.
    await expect(open(sealed, 'evidence:b:1')).rejects.toThrow(/bloc 0 altéré/);
    await expect(open(dropLast)).rejects.toThrow(/privé de sa fin/);
    await expect(open(swapped)).rejects.toThrow(/bloc 0 altéré ou déplacé/);
  });

  it('still opens a version 1 file sealed in one piece', async () => {
    const data = randomBytes(10_000);
    expect((await open(sealBuffer(key, data, 'evidence:a:1'))).equals(data)).toBe(true);
    const altered = sealBuffer(key, data, 'evidence:a:1');
    altered[altered.length - 1]! ^= 1;
    await expect(open(altered)).rejects.toBeInstanceOf(SealedFileError);
  });
});
