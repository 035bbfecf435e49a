import type { Socket } from 'node:net';
import { readBuffer } from './read-buffer.js';

/**
 * Node's `onread` (read into one buffer, a callback per read, no stream machinery or buffer
 * allocation per read) for sockets a server accepted. Node offers the option only to sockets one
 * connects; an accepted socket is the same `net.Socket` with the same three slots, which its
 * constructor sets to `null` and `onread` fills. They are found by their names on the socket
 * itself; on a Node where they are not there, or the handle cannot read into a buffer of ours,
 * nothing is changed and the caller keeps its 'data' listener. `test/balancer/h1/accepted-onread`
 * fails if this Node lost the slots, so a Node upgrade cannot make the fast path slow unnoticed.
 */
interface Slots {
  buffer: symbol;
  callback: symbol;
  generator: symbol;
}

let slots: Slots | null | undefined;

function findSlots(socket: Socket): Slots | null {
  const byName = new Map(Object.getOwnPropertySymbols(socket).map((s) => [s.description, s]));
  const buffer = byName.get('kBuffer');
  const callback = byName.get('kBufferCb');
  const generator = byName.get('kBufferGen');
  if (!buffer || !callback || !generator) return null;
  return { buffer, callback, generator };
}

type Slotted = Record<symbol, unknown>;
interface UserBufferHandle {
  useUserBuffer?: (buffer: Uint8Array) => void;
}

/**
 * From the next read on, `socket`'s bytes arrive in `onRead(n)` as `readBuffer[0, n)`, valid
 * during the call only. Returning false pauses reading (as a full stream does). False when this
 * Node cannot do it (the socket is untouched): listen for 'data' instead.
 */
export function readAccepted(socket: Socket, onRead: (n: number) => boolean): boolean {
  const handle = (socket as unknown as { _handle?: UserBufferHandle })._handle;
  if ((socket as { encrypted?: boolean }).encrypted || typeof handle?.useUserBuffer !== 'function')
    return false;
  slots ??= findSlots(socket);
  if (slots === null) return false;
  const s = socket as unknown as Slotted;
  if (s[slots.buffer] !== null || s[slots.callback] !== null || s[slots.generator] !== null) return false;
  handle.useUserBuffer(readBuffer);
  s[slots.buffer] = readBuffer;
  s[slots.callback] = onRead;
  return true;
}

/**
 * Back to a stream for whoever takes the socket next (Node's HTTP server): each read is copied
 * and pushed, as Node does without `onread`. Node's server reads with its own parser while it
 * holds the socket; this is what an upgraded connection's 'data' listeners get.
 */
export function readAsStream(socket: Socket): void {
  if (!slots) return;
  const s = socket as unknown as Slotted;
  if (s[slots.buffer] !== readBuffer) return;
  s[slots.callback] = (n: number): boolean => socket.push(Buffer.from(readBuffer.subarray(0, n)));
}
