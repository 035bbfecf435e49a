import { describe, expect, it } from 'vitest';
import { parseDotEnv } from '../../src/compose/dotenv.js';
import { interpolate } from '../../src/compose/interpolate.js';
import { parseShortPort } from '../../src/compose/port-spec.js';

describe('interpolate', () => {
  const env = { SET: 'x', EMPTY: '', INNER: 'in' };
  it.each([
    ['$SET-$$', 'x-$'],
    ['${SET}', 'x'],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${SET:+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['${UNSET:-${INNER}}', 'in'],
    ['a$', 'a$'],
  ])('%s → %s', (text, expected) => expect(interpolate(text, env, 'f').value).toBe(expected));
  it('lists unset variables', () => expect(interpolate('${A}${B:-x}', {}, 'f').unset).toEqual(['A']));
});

describe('parseShortPort', () => {
  it('keeps a variable that holds the whole host port', () => {
    expect(parseShortPort('${P:-80}:80', {}, 'f')).toMatchObject({
      hostPorts: { start: 80, end: 80 },
      hostPortVariable: 'P',
    });
    expect(parseShortPort('1${P:-0}:80', {}, 'f').hostPortVariable).toBeUndefined();
  });
  it('parses unbracketed IPv6 host addresses', () => {
    expect(parseShortPort('::1:8080:80/udp', {}, 'f')).toMatchObject({
      hostIp: '::1',
      hostPorts: { start: 8080 },
      protocol: 'udp',
    });
  });
  it('rejects mismatched ranges', () => {
    expect(() => parseShortPort('8000-8002:80-81', {}, 'f')).toThrow(
      /host range has 3 ports but container range has 2/,
    );
  });
});

describe('parseDotEnv', () => {
  it('handles quotes, export and comments', () => {
    const e = parseDotEnv(`# c\nexport A="x\\ny" # tail\nB='lit $x' \nC=plain # note\nbad line\n`);
    expect(e.values).toEqual({ A: 'x\ny', B: 'lit $x', C: 'plain' });
    expect(e.lines).toEqual({ A: 2, B: 3, C: 4 });
  });
});
