import { isNumeric } from './numbers';

/**
 * Text cells of the line-based formats (DCASE, Audacity, Raven). A cell that would not read back as
 * itself (a tab, a line break or another control character, spaces at either end, a number where a
 * name belongs, a leading quote, '#' or '\') is written as a JSON string; any cell that is a JSON string is read as one.
 */
export function quoteCell(cell: string): string {
  const plain = !/\p{Cc}/u.test(cell) && cell === cell.trim() && !isNumeric(cell) && !/^["#\\]/.test(cell);
  return plain ? cell : JSON.stringify(cell);
}

export interface Cell {
  text: string;
  /** Written as a JSON string: never a number, whatever it says. */
  quoted: boolean;
}

export function unquoteCell(raw: string): Cell {
  const text = raw.trim();
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'string') return { text: value, quoted: true };
    } catch {
      // A name that merely starts and ends with a quote: taken as written.
    }
  }
  return { text, quoted: false };
}
