import { BadResponse } from './response-head.js';

/** Where the scanner is in the chunked framing. */
const Size = 0;
const SizeSpace = 1;
const Extension = 2;
const SizeLf = 3;
const Data = 4;
const DataCr = 5;
const DataLf = 6;
const TrailerStart = 7;
const TrailerLine = 8;
const TrailerLf = 9;
const FinalLf = 10;
const Done = 11;

/** Longest chunk extension and trailer section taken: a framing that never ends is refused. */
const maxLineBytes = 4096;
const maxTrailerBytes = 16 * 1024;

/**
 * Finds where a chunked body ends, without decoding it: the bytes go to the client as the
 * upstream sent them, and this only follows the framing (sizes, CRLFs, the last chunk and the
 * trailer section) across however the body is split into reads. Throws BadResponse on a
 * framing error: the response cannot be delimited, so the connection cannot be trusted.
 */
export class ChunkedEnd {
  private state = Size;
  private trailerBytes = 0;
  private size = 0;
  private digits = 0;
  private remaining = 0;
  private lineBytes = 0;

  get done(): boolean {
    return this.state === Done;
  }

  /** Feed the next bytes; returns the index just past the body's end in `buf`, or -1. */
  scan(buf: Buffer, from = 0): number {
    let i = from;
    const n = buf.length;
    while (i < n) {
      switch (this.state) {
        case Data: {
          const take = Math.min(this.remaining, n - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = DataCr;
          continue;
        }
        case Size: {
          const c = buf[i]!;
          const v = hex(c);
          if (v >= 0) {
            if (++this.digits > 12) throw new BadResponse('chunk size too large');
            this.size = this.size * 16 + v;
          } else if (this.digits === 0) throw new BadResponse('chunk size missing');
          else if (c === 0x3b /* ; */) this.state = Extension;
          else if (c === 0x20 || c === 0x09) this.state = SizeSpace;
          else if (c === 0x0d) this.state = SizeLf;
          else throw new BadResponse('bad chunk size');
          break;
        }
        case SizeSpace: {
          const c = buf[i]!;
          if (c === 0x3b) this.state = Extension;
          else if (c === 0x0d) this.state = SizeLf;
          else if (c !== 0x20 && c !== 0x09) throw new BadResponse('bad chunk size');
          break;
        }
        case Extension: {
          const c = buf[i]!;
          if (c === 0x0d) this.state = SizeLf;
          else if ((c < 0x20 && c !== 0x09) || c === 0x7f) throw new BadResponse('bad chunk extension');
          else if (++this.lineBytes > maxLineBytes) throw new BadResponse('chunk extension too long');
          break;
        }
        case SizeLf:
          if (buf[i] !== 0x0a) throw new BadResponse('bad chunk size line end');
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
          if (buf[i] !== 0x0d) throw new BadResponse('chunk longer than its size');
          this.state = DataLf;
          break;
        case DataLf:
          if (buf[i] !== 0x0a) throw new BadResponse('chunk longer than its size');
          this.state = Size;
          break;
        case TrailerStart:
          // An empty line ends the body; anything else is a trailer field line.
          if (buf[i] === 0x0d) this.state = FinalLf;
          else this.state = TrailerLine;
          break;
        case TrailerLine: {
          const c = buf[i]!;
          if (c === 0x0d) this.state = TrailerLf;
          else if ((c < 0x20 && c !== 0x09) || c === 0x7f) throw new BadResponse('bad trailer');
          else if (++this.trailerBytes > maxTrailerBytes) throw new BadResponse('trailers too long');
          break;
        }
        case TrailerLf:
          if (buf[i] !== 0x0a) throw new BadResponse('bad trailer line end');
          this.lineBytes = 0;
          this.state = TrailerStart;
          break;
        case FinalLf:
          if (buf[i] !== 0x0a) throw new BadResponse('bad end of chunked body');
          this.state = Done;
          return i + 1;
        case Done:
          return i;
      }
      i++;
    }
    return -1;
  }
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
