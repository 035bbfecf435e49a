import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';

/** Whether an include path has glob(3) wildcards (`*`, `?`, `[…]`). */
export const hasGlob = (pattern: string): boolean => /[*?[]/.test(pattern);

/** One path segment's glob(3) pattern as a regular expression (no `/` inside a segment). */
export function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        const body = segment
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else re += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  // glob(3) does not match hidden files with a leading wildcard.
  return new RegExp(`^${segment.startsWith('.') ? '' : '(?!\\.)'}${re}$`);
}

/**
 * The files an absolute glob names, sorted as glob(3) sorts them. Wildcards may appear in any
 * segment; directories that cannot be listed contribute nothing.
 */
export function expandGlob(pattern: string): string[] {
  if (!isAbsolute(pattern)) throw new Error(`expandGlob needs an absolute path: ${pattern}`);
  const segments = pattern.split(sep).filter(Boolean);
  let paths: string[] = [sep];
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    const next: string[] = [];
    for (const dir of paths) {
      if (!hasGlob(segment)) {
        next.push(join(dir, segment));
        continue;
      }
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {}
      const re = segmentRegExp(segment);
      next.push(...names.filter((n) => re.test(n)).map((n) => join(dir, n)));
    }
    paths = next.filter((p) => {
      try {
        return last ? statSync(p).isFile() : statSync(p).isDirectory();
      } catch {
        return false;
      }
    });
  }
  return paths.sort();
}

/** Whether an absolute path matches an absolute glob, segment by segment. */
export function globMatches(pattern: string, path: string): boolean {
  const p = pattern.split(sep).filter(Boolean);
  const f = path.split(sep).filter(Boolean);
  return p.length === f.length && p.every((seg, i) => segmentRegExp(seg).test(f[i]!));
}
