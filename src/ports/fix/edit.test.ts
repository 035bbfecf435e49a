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
