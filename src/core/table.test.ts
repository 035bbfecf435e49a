import { describe, expect, it } from 'vitest';
import { renderTable } from './table.js';

const rows = [
  { port: 5432, cmd: 'postgres -D /var/lib/postgresql/15/main' },
  { port: 80, cmd: 'nginx: master\nprocess' },
];
const columns = [
  { header: 'PORT', value: (r: (typeof rows)[0]) => String(r.port), align: 'right' as const },
  { header: 'COMMAND', value: (r: (typeof rows)[0]) => r.cmd, flexible: true },
];

describe('renderTable', () => {
  it('aligns columns and strips control characters', () => {
    const lines = renderTable(columns, rows).split('\n');
    expect(lines[0]).toBe('PORT  COMMAND');
    expect(lines[1]).toBe('5432  postgres -D /var/lib/postgresql/15/main');
    expect(lines[2]).toBe('  80  nginx: master process');
  });
  it('truncates flexible columns to the width', () => {
    const lines = renderTable(columns, rows, { maxWidth: 20 }).split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(20);
    expect(lines[1]).toMatch(/…$/);
  });
});
