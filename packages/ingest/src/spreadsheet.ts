// One cell of a CSV that people open in a spreadsheet. Exports carry values an attacker may have
// written (names in a leaked file, user agents in a log), and a cell that starts like a formula
// runs as one when opened (CSV injection): such a cell gets a leading apostrophe, which keeps it
// text. Quoting alone does not help, spreadsheets evaluate quoted cells too. The one exception is a
// bare E.164 number (`+33612345678`, what the SMS lists hold), which must reach an SMS gateway
// intact and cannot compute anything.
const FORMULA_START = /^[=@\t\r]|^[+-](?!\d{6,15}$)/;

export function spreadsheetCell(value: unknown, delimiter = ';'): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return text.includes(delimiter) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
