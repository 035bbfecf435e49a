import type { Finding } from '../model.js';
import { displayPath } from './paths.js';

/**
 * GitHub Actions workflow commands: one `::error file=…,line=…,col=…::message` line per finding,
 * shown as annotations on the pull request. Suppressed findings are left out.
 */
export function toGithub(findings: Finding[], base: string): string {
  return findings
    .filter((f) => !f.suppressed)
    .map((f) => {
      const props = [
        ...(f.location
          ? [
              `file=${escapeProperty(displayPath(f.location.file, base))}`,
              `line=${f.location.line}`,
              `col=${f.location.col}`,
            ]
          : []),
        `title=${escapeProperty(`portico ${f.rule}`)}`,
      ];
      return `::${f.severity === 'note' ? 'notice' : f.severity} ${props.join(',')}::${escapeData(f.message)}\n`;
    })
    .join('');
}

// The escaping GitHub's toolkit applies (actions/toolkit, command.ts).
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
