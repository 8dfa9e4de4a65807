import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CsvSplitter, type CsvProblem, type CsvRecord } from './csv.ts';

function split(chunks: string[], delimiter = ';', max = 1 << 20): { records: CsvRecord[]; problems: CsvProblem[] } {
  const s = new CsvSplitter(delimiter, max);
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  for (const c of chunks) s.push(c, (r) => records.push({ cells: [...r.cells], line: r.line }), (p) => problems.push(p));
  s.end((r) => records.push({ cells: [...r.cells], line: r.line }), (p) => problems.push(p));
  return { records, problems };
}

function cutAt(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let last = 0;
  for (const p of points) {
    out.push(text.slice(last, p));
    last = p;
  }
  out.push(text.slice(last));
  return out;
}

describe('CSV splitter', () => {
  const cell = fc.string({ unit: fc.constantFrom('a', ';', '"', '\n', '\r', '\r\n', ' ', 'é'), maxLength: 8 });

  it('property: quoted records read back the same however the text is cut into chunks', () => {
    fc.assert(fc.property(
      fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 20 }), fc.boolean(),
      (records, cuts, crlf) => {
        const eol = crlf ? '\r\n' : '\n';
        const rows = records.map((r) => [`k${r[0]}`, r[1] as string]);
        const text = rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(';')).join(eol) + (cuts.length % 2 === 0 ? eol : '');
        const whole = split([text]);
        const chunked = split(cutAt(text, cuts));
        expect(whole.problems).toEqual([]);
        expect(whole.records.map((r) => r.cells)).toEqual(rows);
        expect(chunked).toEqual(whole);
        // Record start lines count the newlines inside earlier quoted cells.
        let line = 1;
        rows.forEach((r, i) => {
          expect(whole.records[i]?.line).toBe(line);
          line += 1 + r.join('').split('\n').length - 1;
        });
      }), { numRuns: 500 });
  });

  it('property: unquoted records with CRLF split the same in any chunking', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.stringMatching(/^[a-z é]{0,6}$/), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { maxLength: 15 }), (records, cuts) => {
      const rows = records.map((r) => [`x${r[0]}`, r[1] as string, r[2] as string]);
      const text = `${rows.map((r) => r.join(',')).join('\r\n')}\r\n`;
      expect(split(cutAt(text, cuts), ',').records.map((r) => r.cells)).toEqual(rows);
    }), { numRuns: 300 });
  });

  it('keeps a stray quote inside an unquoted value, skips blank lines, reports an unclosed quote', () => {
    const { records, problems } = split(['a;b"c\n\r\n\n', 'd;"open\nnever closed']);
    expect(records).toEqual([{ cells: ['a', 'b"c'], line: 1 }]);
    expect(problems).toEqual([{ code: 'csv_syntax', line: 4 }]);
  });

  it('a runaway quote does not swallow memory: over the limit the record is dropped and reading goes on', () => {
    const { records, problems } = split(['h;i\n"', 'x'.repeat(500), '\nnext;line\n'], ';', 100);
    expect(problems).toEqual([{ code: 'csv_syntax', line: 2 }]);
    expect(records.map((r) => r.cells)).toEqual([['h', 'i'], ['next', 'line']]);
  });
});
