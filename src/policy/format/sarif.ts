import { pathToFileURL } from 'node:url';
import { ruleIds, type Severity } from '../ids.js';
import type { Finding } from '../model.js';
import { rules } from '../rules/index.js';
import { displayPath } from './paths.js';

const level: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  note: 'note',
};

/**
 * SARIF 2.1.0 (OASIS), the format code-scanning dashboards read. Artifact URIs are relative to
 * `base` (uriBaseId SRCROOT), so GitHub code scanning places each result on the compose line.
 * Suppressed findings stay in the log with an accepted external suppression and its reason.
 */
export function toSarif(findings: Finding[], options: { base: string; version: string }): unknown {
  const results = findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: ruleIds.indexOf(f.rule),
    level: level[f.severity],
    message: { text: f.message },
    ...(f.location
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: displayPath(f.location.file, options.base), uriBaseId: 'SRCROOT' },
                region: { startLine: f.location.line, startColumn: f.location.col },
              },
            },
          ],
        }
      : {}),
    ...(f.suppressed
      ? {
          suppressions: [
            {
              kind: 'external',
              status: 'accepted',
              justification: `${f.suppressed.reason} (until ${f.suppressed.until})`,
            },
          ],
        }
      : {}),
    ...(f.service || f.port !== undefined
      ? {
          properties: {
            ...(f.service ? { service: f.service } : {}),
            ...(f.port !== undefined ? { port: f.port } : {}),
          },
        }
      : {}),
  }));
  return {
    $schema: 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'portico',
            version: options.version,
            rules: ruleIds.map((id) => ({
              id,
              shortDescription: { text: rules[id].summary },
              defaultConfiguration: { level: level[rules[id].defaultSeverity] },
            })),
          },
        },
        originalUriBaseIds: {
          SRCROOT: {
            uri: pathToFileURL(options.base.endsWith('/') ? options.base : `${options.base}/`).href,
          },
        },
        results,
      },
    ],
  };
}
