/** RFC 9110 token: a field name or method. */
const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Control characters other than HTAB, and DEL: a lone CR or LF inside a line is one of them. */
const forbidden = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * The header line just read by `readHeaderLine`: one shared record, so reading a head allocates
 * the name and value strings and nothing per line besides (the reads are synchronous).
 */
export const line = { name: '', raw: '', next: 0 };

/**
 * Read the field line starting at `pos` in `text` (a head without its final CRLFCRLF, lines
 * split by CRLF): a token name, a colon, a value without control characters other than HTAB.
 * False when the line is malformed (obs-fold starts with a space, so it fails the token).
 */
export function readHeaderLine(text: string, pos: number): boolean {
  let eol = text.indexOf('\r\n', pos);
  if (eol < 0) eol = text.length;
  const colon = text.indexOf(':', pos);
  if (colon <= pos || colon > eol) return false;
  const name = text.slice(pos, colon);
  if (!token.test(name)) return false;
  const raw = text.slice(colon + 1, eol);
  if (forbidden.test(raw)) return false;
  line.name = name;
  line.raw = raw;
  line.next = eol + 2;
  return true;
}
