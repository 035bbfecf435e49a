import { isAbsolute, relative, sep } from 'node:path';

/**
 * A file as CI tools want it: relative to the directory Portico ran in (the repository root in a
 * workflow), with "/" separators. Files outside it keep their absolute path.
 */
export function displayPath(file: string, base: string): string {
  const rel = relative(base, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return file.split(sep).join('/');
  return rel.split(sep).join('/');
}
