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
    ['$1', '$1'],
    ['${UNSET-}x', 'x'],
    ['${EMPTY:+alt}', ''],
    ['${UNSET:-${ALSO:-deep}}', 'deep'],
  ])('%s → %s', (text, expected) => expect(interpolate(text, env, 'f').value).toBe(expected));
  it('lists unset variables', () => expect(interpolate('${A}${B:-x}', {}, 'f').unset).toEqual(['A']));
  it('records which characters each variable produced', () => {
    expect(interpolate('${BIND}:9000', { BIND: '127.0.0.1:9000' }, 'f').spans).toEqual([
      { name: 'BIND', start: 0, end: 14 },
    ]);
  });
  it.each([
    ['${REQ:?set it}', /required variable REQ is missing a value: set it/],
    ['${EMPTY:?}', /required variable EMPTY is missing a value$/],
    ['${1BAD}', /Invalid template/],
    ['${OPEN', /Invalid template/],
  ])('%s fails like compose', (text, message) => {
    expect(() => interpolate(text, env, 'f')).toThrow(message);
  });
});

describe('parseShortPort', () => {
  it('says which characters hold the host port', () => {
    expect(parseShortPort('127.0.0.1:9000:9000', 'f')).toMatchObject({
      hostIp: '127.0.0.1',
      hostPorts: { start: 9000, end: 9000 },
      hostPortAt: { start: 10, end: 14 },
    });
    expect(parseShortPort('[::1]:8080:80', 'f').hostPortAt).toEqual({ start: 6, end: 10 });
  });
  it('parses unbracketed IPv6 host addresses', () => {
    expect(parseShortPort('::1:8080:80/udp', 'f')).toMatchObject({
      hostIp: '::1',
      hostPorts: { start: 8080 },
      protocol: 'udp',
    });
  });
  it('rejects mismatched ranges', () => {
    expect(() => parseShortPort('8000-8002:80-81', 'f')).toThrow(
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
