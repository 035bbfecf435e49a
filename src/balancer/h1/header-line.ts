import { hopByHop } from '../headers.js';

/**
 * Field lines read on the bytes of a head, without making strings: the fast path passes most
 * lines on as they came, so it only needs where each line, name and value are. Strings are made
 * for the few fields it acts on (Host, Connection, …), or for all of them when asked
 * (`fieldList`).
 */

/** RFC 9110 token characters: a field name or method. */
export const tchar = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
  tchar[c.charCodeAt(0)] = 1;

/** Bytes a value may not hold: control characters other than HTAB, and DEL (a lone CR or LF too). */
export const ctl = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) if (b !== 0x09) ctl[b] = 1;
ctl[0x7f] = 1;

/**
 * The field line just read by `readField`, as offsets into its buffer: one shared record, so
 * reading a head allocates nothing per line (the reads are synchronous).
 */
export const field = { colon: 0, valueStart: 0, valueEnd: 0, next: 0 };

/**
 * Read the field line at `pos` of a head whose lines end at `end` (where its CRLFCRLF starts):
 * a token name, a colon, a value without control characters other than HTAB, then CRLF (or
 * `end`). The value's offsets exclude the optional whitespace (SP, HTAB) around it. False when
 * the line is malformed (obs-fold starts with a space, so it fails the token).
 */
export function readField(buf: Buffer, pos: number, end: number): boolean {
  let i = pos;
  while (i < end && tchar[buf[i]!] === 1) i++;
  if (i === pos || i >= end || buf[i] !== 0x3a) return false;
  const colon = i;
  let eol = colon + 1;
  for (; eol < end; eol++) {
    const b = buf[eol]!;
    if (ctl[b] === 1) {
      if (b === 0x0d && eol + 1 < end && buf[eol + 1] === 0x0a) break;
      return false;
    }
  }
  let vs = colon + 1;
  while (vs < eol && isOws(buf[vs]!)) vs++;
  let ve = eol;
  while (ve > vs && isOws(buf[ve - 1]!)) ve--;
  field.colon = colon;
  field.valueStart = vs;
  field.valueEnd = ve;
  field.next = eol + 2;
  return true;
}

function isOws(b: number): boolean {
  return b === 0x20 || b === 0x09;
}

/** ASCII text as bytes, to compare with (`is`, `startsExactly`). */
export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/**
 * Whether `buf[start, end)` is `lower` in any case. `lower` holds lower-case letters, digits
 * and `-` only; the bytes compared are known to be tokens or control-free values, so setting
 * bit 0x20 folds exactly the upper-case letters onto them.
 */
export function is(buf: Buffer, start: number, end: number, lower: Uint8Array): boolean {
  if (end - start !== lower.length) return false;
  for (let k = 0; k < lower.length; k++) if ((buf[start + k]! | 0x20) !== lower[k]) return false;
  return true;
}

/** Lower-case names as bytes, grouped by length, for `isOneOf`. */
export type NameTable = Uint8Array[][];

export function nameTable(names: Iterable<string>): NameTable {
  const table: NameTable = [];
  for (const n of names) {
    table[n.length] ??= [];
    table[n.length]!.push(ascii(n));
  }
  return table;
}

/** Whether `buf[start, end)` is one of the table's names, in any case (as `is` compares). */
export function isOneOf(buf: Buffer, start: number, end: number, table: NameTable): boolean {
  const candidates = table[end - start];
  if (candidates === undefined) return false;
  for (const name of candidates) if (is(buf, start, end, name)) return true;
  return false;
}

/** The hop-by-hop fields of `headers.ts`, for the byte parsers: one list for both paths. */
export const hopByHopNames = nameTable(hopByHop);

/** Whether `buf` starts with `lower` at `start` (in any case), as `is` compares. */
export function startsWith(buf: Buffer, start: number, end: number, lower: Uint8Array): boolean {
  return end - start >= lower.length && is(buf, start, start + lower.length, lower);
}

/** Whether `buf[start, end)` begins with exactly these bytes. */
export function startsExactly(buf: Buffer, start: number, end: number, bytes: Uint8Array): boolean {
  if (end - start < bytes.length) return false;
  for (let k = 0; k < bytes.length; k++) if (buf[start + k] !== bytes[k]) return false;
  return true;
}

/** The field lines in `buf[from, end)` (known to be well-formed) as a flat [name, value, …] list. */
export function fieldList(buf: Buffer, from: number, end: number): string[] {
  const out: string[] = [];
  for (let pos = from; pos < end && readField(buf, pos, end); pos = field.next)
    out.push(
      buf.toString('latin1', pos, field.colon),
      buf.toString('latin1', field.valueStart, field.valueEnd),
    );
  return out;
}

/** A Content-Length value as llhttp takes it: digits, spaces around allowed (not HTAB), nothing else. -1: not one. */
export function contentLengthAt(buf: Buffer, colon: number, eol: number): number {
  let i = colon + 1;
  while (i < eol && buf[i] === 0x20) i++;
  const digitsStart = i;
  let n = 0;
  while (i < eol && buf[i]! >= 0x30 && buf[i]! <= 0x39) {
    n = n * 10 + (buf[i]! - 0x30);
    i++;
  }
  const digits = i - digitsStart;
  while (i < eol && buf[i] === 0x20) i++;
  return i === eol && digits >= 1 && digits <= 15 ? n : -1;
}
