/**
 * Trim optional whitespace (SP and HTAB, RFC 9110 §5.6.3) from both ends, and nothing else:
 * `String#trim` also strips NBSP (0xa0) and other Unicode spaces, which llhttp keeps, so
 * trimming with it would read a field differently from Node's parser.
 */
export function trimOws(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isOws(s.charCodeAt(start))) start++;
  while (end > start && isOws(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** A Content-Length value as llhttp takes it: digits, spaces around allowed, nothing else. */
export const contentLengthValue = /^ *(\d{1,15}) *$/;
