/**
 * ann/: lowers the calling worker thread's CPU priority (Linux: setpriority on the thread id
 * read from /proc/thread-self), so the main thread — protocol, short queries — wins the cores
 * over index builds and long searches. Elsewhere, or when refused, it does nothing.
 */
import fs from 'node:fs';
import os from 'node:os';

/** Sets this thread's nice value (0..19); returns whether it took effect. */
export function niceThisThread(nice) {
  if (!(nice > 0)) return false;
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    os.setPriority(tid, Math.min(19, nice));
    return true;
  } catch {
    return false;
  }
}
