/**
 * Path handling for paths the user types or a system dialog returns, with plain string operations
 * (the renderer has no Node `path`); both '/' and '\' separate folders, as either OS may be the host.
 */

/** '/data', 'C:\data' and '\\server\share' are absolute; 'exports' is relative. */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p);
}

/** `name` inside `folder`, with the separator the folder already uses. */
export function joinPath(folder: string, name: string): string {
  if (/[\\/]$/.test(folder)) return folder + name;
  const separator = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return `${folder}${separator}${name}`;
}

/** A file path cut at its last separator: '/a/b.txt' → '/a' and 'b.txt'; a root keeps its separator ('/b.txt' → '/'). */
export function splitFilePath(p: string): { folder: string; name: string } {
  const cut = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  if (cut < 0) return { folder: '', name: p };
  const folder = p.slice(0, cut);
  const isRoot = folder === '' || /^[A-Za-z]:$/.test(folder);
  return { folder: isRoot ? p.slice(0, cut + 1) : folder, name: p.slice(cut + 1) };
}
