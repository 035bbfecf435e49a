import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';

export const fixtures = fileURLToPath(new URL('../fixtures/policy/', import.meta.url));

/** A copy of a fixture project in a fresh directory, with this portico.yaml when given. */
export function projectFrom(fixture: string, manifest?: string): string {
  const dir = tempDir('portico-policy-');
  cpSync(join(fixtures, fixture), dir, { recursive: true });
  if (manifest !== undefined) writeFileSync(join(dir, 'portico.yaml'), manifest);
  return dir;
}

export interface PolicyDoc {
  ok: boolean;
  policy: 'declared' | 'baseline';
  failOn: string;
  rules: string[];
  summary: { error: number; warning: number; note: number; suppressed: number; failing: number };
  findings: Array<{
    rule: string;
    severity: string;
    service?: string;
    port?: number;
    message: string;
    location?: { file: string; line: number; col: number };
    suppressed?: { reason: string; until: string };
  }>;
}

/** Findings as compact "rule service line:col" strings, for whole-list assertions. */
export function brief(doc: PolicyDoc): string[] {
  return doc.findings.map(
    (f) =>
      `${f.rule} ${f.service ?? '-'} ${f.location ? `${f.location.line}:${f.location.col}` : '-'}${f.suppressed ? ' (suppressed)' : ''}`,
  );
}
