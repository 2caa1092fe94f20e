import { LIMITS } from '../../src-main/api/wire';

/** Label names go into DCASE files and become classes: one line, no tabs, unique in the project regardless of case. */
export function labelNameError(raw: string, others: readonly { id: number; name: string }[], selfId: number | null = null): string | null {
  const name = raw.trim();
  if (!name) return 'A label needs a name';
  // eslint-disable-next-line no-control-regex -- tabs and line breaks would break the annotation files
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'A label name cannot contain tabs or line breaks';
  if (name.length > LIMITS.nameLength) return `A label name has at most ${LIMITS.nameLength} characters`;
  const clash = others.find((l) => l.id !== selfId && l.name.toLowerCase() === name.toLowerCase());
  return clash ? `There is already a label "${clash.name}"` : null;
}

/** The first digit key 1–9 no label uses, or null. */
export function freeShortcut(used: readonly (string | null)[]): string | null {
  return ['1', '2', '3', '4', '5', '6', '7', '8', '9'].find((k) => !used.includes(k)) ?? null;
}
