// The plaintext layout of a format 2 archive, before gzip and sealing: a sequence of records, each
//   kind (1 byte) | name length (uint16 BE) | name (UTF-8) | body length (uint64 BE) | body
// so a reader always knows how many bytes come next and never has to hold more than one record
// header, a page of rows, or a chunk of a file. A tar library would do the framing too, but it
// brings link, device and extended-header entry types a restore would have to refuse one by one;
// here only the four kinds below exist.

export const RECORD = { manifest: 0x4d, rows: 0x52, file: 0x46, end: 0x5a } as const;
export type RecordKind = (typeof RECORD)[keyof typeof RECORD];
const KINDS = new Set<number>(Object.values(RECORD));
const MAX_NAME = 4096;

export function recordHeader(kind: RecordKind, name: string, bodyLength: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > MAX_NAME) throw new Error(`nom d'enregistrement trop long : ${name.slice(0, 80)}…`);
  const header = Buffer.alloc(1 + 2 + nameBytes.length + 8);
  header[0] = kind;
  header.writeUInt16BE(nameBytes.length, 1);
  nameBytes.copy(header, 3);
  header.writeBigUInt64BE(BigInt(bodyLength), 3 + nameBytes.length);
  return header;
}

export class ArchiveFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveFormatError';
  }
}

/** Pulls exact byte counts out of an async stream of buffers, holding at most what it was asked for. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private available = 0;
  private done = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.available < n && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else {
        this.chunks.push(next.value);
        this.available += next.value.length;
      }
    }
    return this.available >= n;
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const head = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.available = rest.length;
    return head;
  }

  async exact(n: number, what: string): Promise<Buffer> {
    if (!(await this.fill(n))) throw new ArchiveFormatError(`sauvegarde incomplète (${what} coupé)`);
    return Buffer.from(this.take(n));
  }

  /** True once every byte has been consumed and the source is exhausted. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  /** Reads a record header, or null at a clean end of stream. */
  async header(): Promise<{ kind: RecordKind; name: string; length: number } | null> {
    if (await this.atEnd()) return null;
    const head = await this.exact(3, "en-tête d'enregistrement");
    if (!KINDS.has(head[0]!)) throw new ArchiveFormatError(`type d'enregistrement inconnu (0x${head[0]!.toString(16)})`);
    const nameLength = head.readUInt16BE(1);
    if (nameLength > MAX_NAME) throw new ArchiveFormatError("nom d'enregistrement trop long");
    const name = (await this.exact(nameLength, "nom d'enregistrement")).toString('utf8');
    const length = (await this.exact(8, "taille d'enregistrement")).readBigUInt64BE(0);
    if (length > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArchiveFormatError(`taille d'enregistrement invalide pour ${name}`);
    return { kind: head[0] as RecordKind, name, length: Number(length) };
  }

  /** Yields a body of `length` bytes piece by piece, as the pieces arrive. */
  async *body(length: number, what: string): AsyncGenerator<Buffer> {
    let left = length;
    while (left > 0) {
      if (this.available === 0 && !(await this.fill(1))) throw new ArchiveFormatError(`sauvegarde incomplète (${what} coupé)`);
      const piece = this.take(Math.min(left, this.available));
      left -= piece.length;
      yield piece;
    }
  }
}
