/**
 * The session's view of its connection: a MessageWriter to append backend messages to and
 * a flush that hands the bytes to the socket (awaiting drain under backpressure). server/
 * implements it; session/ never touches sockets.
 */
import type { MessageWriter } from '../protocol/index.ts';

export interface WireOutput {
  readonly w: MessageWriter;
  /** Sends everything written so far; resolves when the socket can take more. */
  flush(): Promise<void>;
}
