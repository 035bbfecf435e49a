import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { unifiedDiff } from '../../src/exporters/diff.js';
import { describeWith } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';

const numbered = (n: number, f: (i: number) => string = (i) => `line ${i}`) =>
  `${Array.from({ length: n }, (_, i) => f(i + 1)).join('\n')}\n`;

const cases: Array<[string, string, string]> = [
  ['one line changed in the middle', numbered(20), numbered(20, (i) => (i === 10 ? 'changed' : `line ${i}`))],
  ['lines added at the end', numbered(5), `${numbered(5)}six\nseven\n`],
  ['lines removed at the start', numbered(8), numbered(8).split('\n').slice(2).join('\n')],
  [
    'two changes far apart: two hunks',
    numbered(40),
    numbered(40, (i) => (i === 3 || i === 35 ? `x${i}` : `line ${i}`)),
  ],
  [
    'two changes close together: one hunk',
    numbered(30),
    numbered(30, (i) => (i === 10 || i === 14 ? `x${i}` : `line ${i}`)),
  ],
  ['a new file', '', numbered(3)],
];

describeWith(['diff'], 'unifiedDiff writes what diff -u writes', () => {
  it.each(cases)('%s', (_name, before, after) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a'), before);
    writeFileSync(join(dir, 'b'), after);
    let expected = '';
    try {
      execFileSync('diff', ['-u', '--label', 'old', '--label', 'new', 'a', 'b'], { cwd: dir });
    } catch (error) {
      expected = String((error as { stdout: Buffer }).stdout);
    }
    expect(unifiedDiff(before, after, 'old', 'new')).toBe(expected);
  });
});

it('is empty when nothing changes', () => {
  expect(unifiedDiff(numbered(5), numbered(5), 'a', 'b')).toBe('');
});
