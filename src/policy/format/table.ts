import type { Output } from '../../core/output.js';
import type { Finding } from '../model.js';
import { displayPath } from './paths.js';

/** The terminal view: one row per finding, suppressed ones marked, then a one-line summary. */
export function printTable(out: Output, findings: Finding[], base: string, failing: number): void {
  const { c } = out;
  if (findings.length === 0) {
    out.line(c.green('policy: no findings'));
    return;
  }
  out.table(
    [
      {
        header: 'SEVERITY',
        value: (f: Finding) => (f.suppressed ? `${f.severity} (suppressed)` : f.severity),
        style: (text, f) =>
          f.suppressed
            ? c.dim(text)
            : f.severity === 'error'
              ? c.red(text)
              : f.severity === 'warning'
                ? c.yellow(text)
                : text,
      },
      { header: 'RULE', value: (f) => f.rule },
      { header: 'SERVICE', value: (f) => f.service ?? '-' },
      {
        header: 'WHERE',
        value: (f) =>
          f.location ? `${displayPath(f.location.file, base)}:${f.location.line}:${f.location.col}` : '-',
      },
      {
        header: 'MESSAGE',
        value: (f) =>
          f.suppressed
            ? `${f.message} [suppressed until ${f.suppressed.until}: ${f.suppressed.reason}]`
            : f.message,
        flexible: true,
      },
    ],
    findings,
  );
  const count = (s: string) => findings.filter((f) => !f.suppressed && f.severity === s).length;
  const suppressed = findings.filter((f) => f.suppressed).length;
  out.line();
  out.line(
    `${count('error')} error(s), ${count('warning')} warning(s), ${count('note')} note(s), ${suppressed} suppressed; ${failing === 0 ? c.green('pass') : c.red(`fail (${failing} at or above --fail-on)`)}`,
  );
}
