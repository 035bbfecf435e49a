import { describe, expect, it } from 'vitest';
import { parseResponseHead } from '../../../src/balancer/h1/response-head.js';
import { errorResponse, headerBlock, statusLine } from '../../../src/balancer/h1/write-head.js';

describe('statusLine', () => {
  it("the upstream's reason, or the standard one when it sent none", () => {
    expect(statusLine(200, 'Fine')).toBe('HTTP/1.1 200 Fine\r\n');
    expect(statusLine(404, '')).toBe('HTTP/1.1 404 Not Found\r\n');
    expect(statusLine(599, '')).toBe('HTTP/1.1 599 \r\n');
  });
});

describe('headerBlock', () => {
  it('one line per pair, in order, duplicates kept', () => {
    expect(headerBlock(['A', '1', 'b', '', 'A', '2'])).toBe('A: 1\r\nb: \r\nA: 2\r\n');
    expect(headerBlock([])).toBe('');
  });
});

describe('errorResponse', () => {
  it('a well-framed plain-text answer with its code, read back by the strict response parser', () => {
    const buf = errorResponse(502, 'bad-upstream', 'upstream u1 failed: reset', false, false);
    const head = parseResponseHead(buf, false)!;
    expect(head.status).toBe(502);
    expect(head.reason).toBe('Bad Gateway');
    expect(head.framing).toBe('length');
    expect(head.reusable).toBe(true);
    expect(head.rawHeaders).toContain('bad-upstream');
    // Content-Length counts the body's bytes, which is all that follows the head.
    expect(buf.length - head.headBytes).toBe(head.contentLength);
  });

  it('with close: Connection: close, not reusable', () => {
    const head = parseResponseHead(errorResponse(404, 'no-route', 'x', false, true), false)!;
    expect(head.reusable).toBe(false);
  });

  it('for HEAD: the same head, no body', () => {
    const get = errorResponse(404, 'no-route', 'x', false, false);
    const head = errorResponse(404, 'no-route', 'x', true, false);
    expect(get.subarray(0, head.length).equals(head)).toBe(true);
    expect(parseResponseHead(head, true)!.headBytes).toBe(head.length);
  });
});
