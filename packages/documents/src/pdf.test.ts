import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pdfSafe, pdfText, PdfWriter } from './index.ts';

const WIN_ANSI = /^[\n\t\u0020-\u007e\u00a1-\u00ff€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]*$/;

describe('PDF text', () => {
  it('keeps every French character, and the nearest letter for names from elsewhere', () => {
    const french = 'À l’œuvre : « Ça coûte 12 € », dit Noël à l’élève naïf — Œdipe, Ÿ, ù, ô, î.';
    expect(pdfSafe(french)).toBe(french);
    expect(pdfSafe('Łukasz Ștefan Dvořák')).toBe('Lukasz Stefan Dvorák');
    expect(pdfSafe('12\u202f000 ≥ 10\u00a0000')).toBe('12 000 >= 10 000');
  });

  it('only ever emits characters the standard fonts can draw', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
      expect(pdfSafe(s)).toMatch(WIN_ANSI);
    }));
  });

  it('reads back what was written, accents included, with page numbers on every page', async () => {
    const pdf = new PdfWriter('Essai', new Date('2026-01-01T00:00:00Z'), 'Essai');
    pdf.heading('Été à Besançon');
    for (let i = 0; i < 80; i += 1) pdf.field(`Libellé ${i}`, i % 2 ? `Valeur « ${i} » œuvre` : '');
    const text = await pdfText(await pdf.finish('Pied de page'));
    expect(text).toContain('Été à Besançon');
    expect(text).toContain('Valeur « 79 » œuvre');
    expect(text).toContain('À compléter');
    const pages = Number(/page 1 sur (\d+)/.exec(text)![1]);
    expect(pages).toBeGreaterThan(1);
    expect(text).toContain(`page ${pages} sur ${pages}`);
  });
});
