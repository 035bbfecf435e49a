import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PortOrigin } from '../../compose/model.js';
import { editComposeHostPort, replaceComposeHostPort } from './edit-compose.js';
import { editEnvValue } from './edit-env.js';

const origin = (service: string, index: number, raw = ''): PortOrigin => ({
  file: 'compose.yaml',
  line: 1,
  service,
  index,
  syntax: 'short',
  raw,
});

describe('editComposeHostPort', () => {
  it('changes only the host-port characters, keeping CRLF, quotes, comments and trailing spaces', () => {
    const text =
      'services:\r\n  a:\r\n    ports:\r\n      - 18080:80   \r\n      - "127.0.0.1:18081:81" # c  \r\n';
    expect(editComposeHostPort(text, origin('a', 0), 18080, 20001)).toBe(
      text.replace('18080:80', '20001:80'),
    );
    expect(editComposeHostPort(text, origin('a', 1), 18081, 20002)).toBe(
      text.replace('127.0.0.1:18081:81', '127.0.0.1:20002:81'),
    );
  });

  it('rewrites the default of ${VAR:-port} and the long syntax published value', () => {
    const text = 'services:\n  a:\n    ports:\n      - target: 80\n        published: ${P:-18080}  # x\n';
    expect(editComposeHostPort(text, origin('a', 0), 18080, 20001)).toBe(text.replace('18080', '20001'));
  });

  it('refuses an entry shared through an anchor, which would move the alias too', () => {
    const text = 'services:\n  a:\n    ports:\n      - &p "18080:80"\n  b:\n    ports:\n      - *p\n';
    expect(editComposeHostPort(text, origin('a', 0, '18080:80'), 18080, 20001)).toEqual({
      refused: expect.stringContaining('anchor &p'),
    });
    expect(editComposeHostPort(text, origin('b', 0, '18080:80'), 18080, 20001)).toEqual({
      refused: expect.stringContaining('alias'),
    });
  });

  it('replaces the whole host-port part with a new variable, inside the quotes', () => {
    const text = "services:\n  db:\n    ports: ['${DB_PORT}:5432/tcp']\n";
    expect(replaceComposeHostPort(text, origin('db', 0), '${DB_PORT_PUBLISHED:-20001}')).toBe(
      "services:\n  db:\n    ports: ['${DB_PORT_PUBLISHED:-20001}:5432/tcp']\n",
    );
  });
});

describe('edits keep every other byte (property)', () => {
  const layout = fc.record({
    eol: fc.constantFrom('\n', '\r\n'),
    quote: fc.constantFrom('', '"', "'"),
    hostIp: fc.constantFrom('', '127.0.0.1:', '[::1]:'),
    proto: fc.constantFrom('', '/tcp', '/udp'),
    trailing: fc.constantFrom('', '  ', ' # comment ', '\t# c'),
    comment: fc.constantFrom('', '# top comment', 'x-anchor: &a { k: v }'),
    oldPort: fc.integer({ min: 1024, max: 19999 }),
    newPort: fc.integer({ min: 20000, max: 29999 }),
    flow: fc.boolean(),
  });

  it('changes exactly the host-port digits, whatever the quoting, comments and line endings', () => {
    fc.assert(
      fc.property(layout, (l) => {
        // An unquoted "[::1]:…" would be a YAML flow sequence, not a string: quote it.
        const quote = l.hostIp.startsWith('[') && l.quote === '' ? '"' : l.quote;
        const entry = `${quote}${l.hostIp}${l.oldPort}:80${l.proto}${quote}`;
        const ports = l.flow
          ? `    ports: [${entry}]${l.trailing}`
          : `    ports:${l.eol}      - ${entry}${l.trailing}`;
        const text = [l.comment, 'services:', '  s:', '    image: x   ', ports, '  t: {}', ''].join(l.eol);
        const edited = editComposeHostPort(text, origin('s', 0), l.oldPort, l.newPort);
        const at = text.indexOf(`${l.hostIp}${l.oldPort}:80`) + l.hostIp.length;
        expect(edited).toBe(
          text.slice(0, at) + String(l.newPort) + text.slice(at + String(l.oldPort).length),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('changes exactly the value in .env, whatever the layout', () => {
    fc.assert(
      fc.property(layout, fc.constantFrom('', 'export '), (l, exp) => {
        const line = `${exp}P=${l.quote}${l.oldPort}${l.quote}${l.trailing}`;
        const text = ['# ports', 'A=1', line, 'B=${P}', ''].join(l.eol);
        const at = text.indexOf(`P=${l.quote}`) + 2 + l.quote.length;
        expect(editEnvValue(text, 'P', String(l.newPort), String(l.oldPort))).toBe(
          text.slice(0, at) + String(l.newPort) + text.slice(at + String(l.oldPort).length),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('editEnvValue', () => {
  it('keeps export, comments, trailing spaces and CRLF; the last assignment wins', () => {
    const text = 'A=1\r\nexport P=18080   # mine  \r\nP=18080   \r\nB="x"\r\n';
    expect(editEnvValue(text, 'P', '20001', '18080')).toBe(
      'A=1\r\nexport P=18080   # mine  \r\nP=20001   \r\nB="x"\r\n',
    );
    expect(editEnvValue('P="18080" # q\n', 'P', '20001', '18080')).toBe('P="20001" # q\n');
  });

  it('refuses a value that holds more than the port', () => {
    expect(editEnvValue('BIND=127.0.0.1:9000\n', 'BIND', '20001', '9000')).toBeUndefined();
    expect(editEnvValue('OTHER=1\n', 'P', '20001')).toBeUndefined();
  });
});
