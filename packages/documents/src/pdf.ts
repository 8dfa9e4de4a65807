// A small layout kit over pdfkit so every document looks the same: A4, a title block, sections,
// label/value rows, "À compléter" for missing fields, page numbers, Paris dates.
import PDFDocument from 'pdfkit';

const INK = '#1f2933';
const MUTED = '#52606d';
const MISSING = '#b42318';
const RULE = '#cbd2d9';

// The 14 standard PDF fonts speak WinAnsi (Latin-1 plus a few typographic signs). French fits;
// a name from elsewhere in Europe loses its accent rather than turning into a question mark.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const NEAREST: Record<string, string> = {
  'Ł': 'L', 'ł': 'l', 'Đ': 'D', 'đ': 'd', 'Ħ': 'H', 'ħ': 'h', 'ı': 'i', 'ŀ': 'l', 'Ŀ': 'L',
  '≤': '<=', '≥': '>=', '≠': '!=', '→': '->', '←': '<-', '−': '-', '‐': '-', '‑': '-', '‒': '-', '⁄': '/', '′': "'", '″': '"',
  '✓': 'x', '✔': 'x', '✗': 'x', '☐': '[ ]', '☑': '[x]',
};
export function pdfSafe(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00a0\u202f\u2007\u2009\u200a]/g, ' ')
    .replace(/[\u200b-\u200d\ufeff\u00ad]/g, '')
    .replace(/[^\n\t\u0020-\u007e\u00a1-\u00ff]/gu, (c) => {
      if (WIN_ANSI_EXTRA.has(c)) return c;
      if (NEAREST[c] !== undefined) return NEAREST[c]!;
      // "ă" → "a", "ș" → "s": keep the letter, drop the mark WinAnsi cannot draw.
      const base = c.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      return base !== c && /^[\u0020-\u007e\u00a1-\u00ff]+$/.test(base) ? base : '?';
    });
}

export class PdfWriter {
  readonly doc: PDFKit.PDFDocument;
  private readonly chunks: Buffer[] = [];
  private readonly done: Promise<Buffer>;

  constructor(title: string, generatedAt: Date, subject: string) {
    this.doc = new PDFDocument({
      size: 'A4',
      margins: { top: 56, bottom: 64, left: 56, right: 56 },
      bufferPages: true,
      info: { Title: pdfSafe(title), Subject: pdfSafe(subject), Creator: 'Rempart', Producer: 'Rempart', CreationDate: generatedAt, ModDate: generatedAt },
      lang: 'fr-FR',
    } as PDFKit.PDFDocumentOptions);
    this.doc.on('data', (c: Buffer) => this.chunks.push(c));
    this.done = new Promise((resolve, reject) => {
      this.doc.on('end', () => resolve(Buffer.concat(this.chunks)));
      this.doc.on('error', reject);
    });
  }

  get width(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }

  heading(title: string, subtitle?: string): this {
    this.doc.font('Helvetica-Bold').fontSize(18).fillColor(INK).text(pdfSafe(title), { width: this.width });
    if (subtitle) this.doc.moveDown(0.3).font('Helvetica').fontSize(10).fillColor(MUTED).text(pdfSafe(subtitle), { width: this.width });
    this.doc.moveDown(0.8);
    return this;
  }

  section(title: string): this {
    if (this.doc.y > this.doc.page.height - 140) this.doc.addPage();
    this.doc.moveDown(0.6);
    const y = this.doc.y;
    this.doc.moveTo(this.doc.page.margins.left, y).lineTo(this.doc.page.margins.left + this.width, y).strokeColor(RULE).lineWidth(0.7).stroke();
    this.doc.moveDown(0.4).font('Helvetica-Bold').fontSize(12).fillColor(INK).text(pdfSafe(title), { width: this.width });
    this.doc.moveDown(0.3);
    return this;
  }

  /** A label and its value; an empty value prints « À compléter » in red, with the word, not only the colour. */
  field(label: string, value: string | null | undefined, options: { required?: boolean } = {}): this {
    const missing = value === undefined || value === null || value.trim() === '';
    // Never leave a label alone at the bottom of a page with its value on the next.
    if (this.doc.y > this.doc.page.height - this.doc.page.margins.bottom - 40) this.doc.addPage();
    this.doc.font('Helvetica-Bold').fontSize(9).fillColor(MUTED).text(pdfSafe(label), { width: this.width });
    if (missing) {
      this.doc.font('Helvetica-Oblique').fontSize(10).fillColor(options.required === false ? MUTED : MISSING).text(options.required === false ? 'Non renseigné' : 'À compléter', { width: this.width });
    } else {
      this.doc.font('Helvetica').fontSize(10).fillColor(INK).text(pdfSafe(value), { width: this.width });
    }
    this.doc.moveDown(0.35);
    return this;
  }

  /** Lines starting with "- " or "• " become an indented bulleted list. */
  richText(text: string, options: { size?: number } = {}): this {
    for (const block of text.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
      const lines = block.split('\n');
      let prose: string[] = [];
      const flush = () => {
        if (prose.length) this.paragraph(prose.join('\n'), options);
        prose = [];
      };
      for (const line of lines) {
        const bullet = /^\s*(?:[-•*])\s+(.*)$/.exec(line);
        if (!bullet) {
          prose.push(line);
          continue;
        }
        flush();
        if (this.doc.y > this.doc.page.height - this.doc.page.margins.bottom - 24) this.doc.addPage();
        const left = this.doc.page.margins.left;
        const y = this.doc.y;
        this.doc.font('Helvetica').fontSize(options.size ?? 10).fillColor(INK);
        this.doc.text('•', left + 6, y, { lineBreak: false });
        // Wrapped lines hang under the text, not under the bullet.
        this.doc.text(pdfSafe(bullet[1] ?? ''), left + 18, y, { width: this.width - 18, lineGap: 2 });
        this.doc.x = left;
        this.doc.moveDown(0.15);
      }
      flush();
      this.doc.moveDown(0.2);
    }
    return this;
  }

  paragraph(text: string, options: { bold?: boolean; muted?: boolean; size?: number } = {}): this {
    // A bold line is a heading: keep it with what follows.
    if (options.bold && this.doc.y > this.doc.page.height - this.doc.page.margins.bottom - 60) this.doc.addPage();
    this.doc.font(options.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(options.size ?? 10).fillColor(options.muted ? MUTED : INK).text(pdfSafe(text), { width: this.width, lineGap: 2 });
    this.doc.moveDown(0.4);
    return this;
  }

  async finish(footer: string): Promise<Buffer> {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i += 1) {
      this.doc.switchToPage(i);
      const bottom = this.doc.page.height - 40;
      // Writing inside the bottom margin would add a page; lift the margin while printing the footer.
      const margin = this.doc.page.margins.bottom;
      this.doc.page.margins.bottom = 0;
      this.doc.font('Helvetica').fontSize(8).fillColor(MUTED)
        .text(pdfSafe(`${footer} — page ${i + 1} sur ${range.count}`), this.doc.page.margins.left, bottom, { width: this.width, align: 'center', lineBreak: false });
      this.doc.page.margins.bottom = margin;
    }
    this.doc.end();
    return this.done;
  }
}
