import { relative } from 'node:path';
import type { Assessment } from './model.js';

/** A file position relative to the project folder, as the document shows it. */
export function locationText(
  a: Assessment,
  location?: { file: string; line?: number; col?: number },
): string {
  if (!location) return '';
  const file = relative(a.projectDir, location.file) || location.file;
  return location.line === undefined ? file : `${file}:${location.line}:${location.col ?? 1}`;
}

/** The one-line outcome at the top of the document. */
export function verdict(a: Assessment): string {
  const { errors, warnings, notes, suppressed } = a.summary;
  const score = (a.health.extra?.score as { text?: string } | null | undefined)?.text;
  const counts = `${errors} error(s), ${warnings} warning(s), ${notes} note(s)${suppressed ? `, ${suppressed} suppressed` : ''}`;
  return `${errors ? 'Action needed' : 'No errors'}: ${counts}${score ? ` · health score ${score}` : ''} · ${a.recommendations.length} recommendation(s).`;
}
