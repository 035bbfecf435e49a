import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decideColor, Output } from './output.js';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let buf = '';
  stream.on('data', (c: Buffer) => {
    buf += c.toString();
  });
  return { stream, text: () => buf };
}

describe('Output', () => {
  it('keeps stdout pure JSON in --json mode', () => {
    const o = capture();
    const e = capture();
    const out = new Output({ json: true, stdout: o.stream, stderr: e.stream, env: {} });
    out.line('human only');
    out.note('to stderr');
    out.result({ a: 1 }, () => out.line('never'));
    expect(JSON.parse(o.text())).toEqual({ a: 1 });
    expect(e.text()).toBe('to stderr\n');
  });

  it('honours NO_COLOR, FORCE_COLOR and explicit flags', () => {
    expect(decideColor(undefined, true, { NO_COLOR: '1' })).toBe(false);
    expect(decideColor(undefined, false, { FORCE_COLOR: '1' })).toBe(true);
    expect(decideColor(undefined, true, {})).toBe(true);
    expect(decideColor(undefined, false, {})).toBe(false);
    expect(decideColor(false, true, { FORCE_COLOR: '1' })).toBe(false);
  });
});
