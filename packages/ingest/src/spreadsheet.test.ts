import { describe, expect, it } from 'vitest';
import { spreadsheetCell } from './spreadsheet.ts';

describe('spreadsheetCell', () => {
  it.each([
    ['=HYPERLINK("http://x","clic")', `"'=HYPERLINK(""http://x"",""clic"")"`],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['+cmd|\' /C calc\'!A0', "'+cmd|' /C calc'!A0"],
    ['-2+3', "'-2+3"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
  ])('keeps %j from running as a formula', (input, expected) => {
    expect(spreadsheetCell(input)).toBe(expected);
  });

  it.each(['+33 6 12 34 56 78', '-12', '+(33) 612'])('keeps %j as text too: only a bare E.164 number is left alone', (input) => {
    expect(spreadsheetCell(input, ',')).toBe(`'${input}`);
  });

  it('leaves a bare E.164 number as it is, for SMS gateways', () => {
    expect(spreadsheetCell('+33612345678', ',')).toBe('+33612345678');
    expect(spreadsheetCell('+590690123456', ',')).toBe('+590690123456');
  });

  it('quotes the delimiter, quotes and line breaks, and only them', () => {
    expect(spreadsheetCell('a;b')).toBe('"a;b"');
    expect(spreadsheetCell('a;b', ',')).toBe('a;b');
    expect(spreadsheetCell('a,b', ',')).toBe('"a,b"');
    expect(spreadsheetCell('dit "non"')).toBe('"dit ""non"""');
    expect(spreadsheetCell('ligne 1\nligne 2')).toBe('"ligne 1\nligne 2"');
  });

  it('writes null and undefined as empty cells, numbers as text', () => {
    expect(spreadsheetCell(null)).toBe('');
    expect(spreadsheetCell(undefined)).toBe('');
    expect(spreadsheetCell(42)).toBe('42');
  });
});
