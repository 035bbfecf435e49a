import { BadResponse } from './response-head.js';

/** Where the scanner is in the chunked framing (RFC 9112 §7.1). */
const Size = 0;
const Extension = 1;
const SizeLf = 2;
const Data = 3;
const DataCr = 4;
const DataLf = 5;
const TrailerStart = 6;
const TrailerName = 7;
const TrailerValue = 8;
const TrailerLf = 9;
const FinalLf = 10;
const Done = 11;

/** Where the scanner is inside a chunk extension. */
const ExtNameStart = 0;
const ExtName = 1;
const ExtValueStart = 2;
const ExtValue = 3;
const Quoted = 4;
const QuotedEscape = 5;
const AfterQuoted = 6;

/** Longest chunk extension and trailer section taken: a framing that never ends is refused. */
const maxLineBytes = 4096;
const maxTrailerBytes = 16 * 1024;

/** RFC 9110 token characters. */
const tchar = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
  tchar[c.charCodeAt(0)] = 1;

/**
 * Finds where a chunked body ends, without decoding it: the bytes go to the client as the
 * upstream sent them, and this only follows the framing (sizes, extensions, CRLFs, the last
 * chunk and the trailer fields) across however the body is split into reads. As strict as
 * llhttp's strict mode: no whitespace around sizes, extensions of tokens and quoted strings,
 * trailers that are field lines. Throws BadResponse on anything else: a response that cannot be
 * delimited exactly cannot be passed on a kept-alive connection.
 */
export class ChunkedEnd {
  private state = Size;
  private size = 0;
  private digits = 0;
  private remaining = 0;
  private lineBytes = 0;
  private trailerBytes = 0;
  /** Inside an extension: `;name`, `;name=token` or `;name="quoted"`, nothing else (RFC 9112 §7.1.1). */
  private ext = ExtNameStart;

  get done(): boolean {
    return this.state === Done;
  }

  /** Feed the next bytes; returns the index just past the body's end in `buf`, or -1. */
  scan(buf: Buffer, from = 0): number {
    let i = from;
    const n = buf.length;
    while (i < n) {
      const c = buf[i]!;
      switch (this.state) {
        case Data: {
          const take = Math.min(this.remaining, n - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = DataCr;
          continue;
        }
        case Size: {
          const v = hex(c);
          if (v >= 0) {
            if (++this.digits > 12) throw new BadResponse('chunk size too large');
            this.size = this.size * 16 + v;
          } else if (this.digits === 0) throw new BadResponse('chunk size missing');
          else if (c === 0x3b /* ; */) {
            this.state = Extension;
            this.ext = ExtNameStart;
          } else if (c === 0x0d) this.state = SizeLf;
          else throw new BadResponse('bad chunk size');
          break;
        }
        case Extension:
          if (++this.lineBytes > maxLineBytes) throw new BadResponse('chunk extension too long');
          this.extension(c);
          break;
        case SizeLf:
          if (c !== 0x0a) throw new BadResponse('bad chunk size line end');
          this.lineBytes = 0;
          this.digits = 0;
          if (this.size === 0) this.state = TrailerStart;
          else {
            this.remaining = this.size;
            this.size = 0;
            this.state = Data;
          }
          break;
        case DataCr:
          if (c !== 0x0d) throw new BadResponse('chunk longer than its size');
          this.state = DataLf;
          break;
        case DataLf:
          if (c !== 0x0a) throw new BadResponse('chunk longer than its size');
          this.state = Size;
          break;
        case TrailerStart:
          // An empty line ends the body; anything else must be a field line.
          if (c === 0x0d) this.state = FinalLf;
          else if (tchar[c]) this.state = TrailerName;
          else throw new BadResponse('bad trailer field');
          this.countTrailer();
          break;
        case TrailerName:
          if (c === 0x3a /* : */) this.state = TrailerValue;
          else if (!tchar[c]) throw new BadResponse('bad trailer field name');
          this.countTrailer();
          break;
        case TrailerValue:
          if (c === 0x0d) this.state = TrailerLf;
          else if (c !== 0x09 && (c < 0x20 || c === 0x7f)) throw new BadResponse('bad trailer field value');
          this.countTrailer();
          break;
        case TrailerLf:
          if (c !== 0x0a) throw new BadResponse('bad trailer line end');
          this.state = TrailerStart;
          break;
        case FinalLf:
          if (c !== 0x0a) throw new BadResponse('bad end of chunked body');
          this.state = Done;
          return i + 1;
        case Done:
          return i;
      }
      i++;
    }
    return -1;
  }

  private extension(c: number): void {
    switch (this.ext) {
      case ExtNameStart:
        if (!tchar[c]) throw new BadResponse('bad chunk extension name');
        this.ext = ExtName;
        return;
      case ExtName:
      case ExtValue:
        if (tchar[c]) return;
        if (c === 0x3d /* = */ && this.ext === ExtName) this.ext = ExtValueStart;
        else this.afterExtension(c);
        return;
      case ExtValueStart:
        if (tchar[c]) this.ext = ExtValue;
        else if (c === 0x22 /* " */) this.ext = Quoted;
        else throw new BadResponse('bad chunk extension value');
        return;
      case Quoted:
        if (c === 0x22) this.ext = AfterQuoted;
        else if (c === 0x5c /* \ */) this.ext = QuotedEscape;
        else if (c !== 0x09 && (c < 0x20 || c === 0x7f)) throw new BadResponse('bad chunk extension value');
        return;
      case QuotedEscape:
        if (c !== 0x09 && (c < 0x20 || c === 0x7f)) throw new BadResponse('bad chunk extension value');
        this.ext = Quoted;
        return;
      default:
        this.afterExtension(c);
    }
  }

  /** After a name, a value or a quoted string: another extension, or the end of the line. */
  private afterExtension(c: number): void {
    if (c === 0x3b) this.ext = ExtNameStart;
    else if (c === 0x0d) this.state = SizeLf;
    else throw new BadResponse('bad chunk extension');
  }

  private countTrailer(): void {
    if (++this.trailerBytes > maxTrailerBytes) throw new BadResponse('trailers too long');
  }
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
