// Appends each alert as one JSON line to a local file (an audit trail, a spool for a log
// shipper, or the output of local runs). The file is opened once per container (O_APPEND)
// and kept open: one write per line, whole lines that do not interleave between concurrent
// deliveries. A path that was removed or replaced since (rotated, deleted) is opened again:
// it is checked before a line unless it was checked less than RECHECK_MS ago. The directory,
// the open, the check and the write are asynchronous (only the close of a retired file is
// not): a hung mount (NFS, EFS) or a named pipe must not stop the event loop, and with it the
// alert's other targets.
import { closeSync, constants, fstat, mkdir, open, stat, write } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { defineTarget } from '../contract';
import type { Outcome } from '../contract';
import { classifyError } from '../errors';

// node:fs's callback write, not node:fs/promises: a function start then loads no
// fs/promises (about a millisecond of CPU) for its file target. Asynchronous on purpose: a
// hung disk (an NFS or EFS mount) must not block the alert's other targets. Its thread-pool
// round trip, during which the main thread sleeps and after which the rest of the event runs
// on cold caches, is most of this target's cost in the warm bench (bench/README.md).
const writeAt = promisify(write);
const openAt = promisify(open);
const fstatOf = promisify(fstat);
const statOf = promisify(stat);
const mkdirAt = promisify(mkdir);
/** O_NONBLOCK: a named pipe that no process reads fails the open at once (ENXIO) instead of blocking it; a regular file ignores it. */
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK;

const settings = z
  .object({
    path: z.string().min(1, 'must name a file'),
  })
  .strict();

/** Errors that another attempt cannot fix: the path itself is wrong or not writable. */
const PERMANENT: Record<string, string> = {
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent of it is not a directory',
  // mkdir -p reports a parent that exists as a file this way.
  EEXIST: 'a parent of it is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
};

/** Errors another attempt may not meet: a named pipe's reader comes back, or drains it. */
const TRANSIENT: Record<string, string> = {
  ENXIO: 'it is a named pipe that no process reads',
  EAGAIN: 'it is a named pipe that is full',
};

function fileError(path: string, err: unknown): Outcome {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return classifyError(err);
  const permanent = Object.hasOwn(PERMANENT, code) ? PERMANENT[code] : undefined;
  if (permanent) return { outcome: 'failed', retryable: false, detail: `cannot append to ${path}: ${permanent} (${code})` };
  const transient = Object.hasOwn(TRANSIENT, code) ? TRANSIENT[code] : undefined;
  if (transient) return { outcome: 'failed', retryable: true, detail: `cannot append to ${path}: ${transient} (${code})` };
  return classifyError(err);
}

interface OpenFile {
  fd: number;
  dev: number;
  ino: number;
  /** Writes under way: the descriptor is closed only when none is (its number could be reused under one). */
  writing: number;
  /** No longer the path's file: close it once idle. */
  retired: boolean;
  closed: boolean;
  /** Date.now() when the path was last seen to name this file. */
  checkedAt: number;
}

/**
 * How long a path checked to name the open file is trusted before the next stat. A stat per
 * line cost about 10 µs of CPU in a burst (the warm bench's file row: the syscall and its
 * Stats object, run cold right after the previous line's write); one per RECHECK_MS costs
 * nothing there, and an alert after a pause (the usual case) is still checked. A rotation or
 * removal in the middle of a burst reaches the lines of that burst's next RECHECK_MS at most:
 * they land in the renamed file, or in the removed one.
 */
const RECHECK_MS = 100;

/** Path -> its open file, shared by every file target of the container writing there. */
const openFiles = new Map<string, OpenFile>();

/** Opens the file for appending, with its directory, once per container. */
async function openAppend(path: string): Promise<OpenFile> {
  await mkdirAt(dirname(path), { recursive: true });
  const fd = await openAt(path, APPEND_FLAGS, 0o666);
  try {
    const { dev, ino } = await fstatOf(fd);
    return { fd, dev, ino, writing: 0, retired: false, closed: false, checkedAt: Date.now() };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

function closeWhenIdle(file: OpenFile): void {
  if (!file.retired || file.writing > 0 || file.closed) return;
  file.closed = true;
  try {
    closeSync(file.fd);
  } catch {
    // Nothing more to write through it either way.
  }
}

function retire(path: string, file: OpenFile): void {
  if (openFiles.get(path) === file) openFiles.delete(path);
  file.retired = true;
  closeWhenIdle(file);
}

/** The open file at `path` when the path was seen to name it less than RECHECK_MS ago: no I/O, no await. */
function checkedFile(path: string): OpenFile | undefined {
  const known = openFiles.get(path);
  // A clock set back makes the age negative: check then.
  const age = known ? Date.now() - known.checkedAt : -1;
  return age >= 0 && age < RECHECK_MS ? known : undefined;
}

/** Path -> the check or opening under way there: concurrent lines wait for one, not open two. */
const opening = new Map<string, Promise<OpenFile>>();

/** The open file at `path` once a stat says the path still names it, else the file the path names now, opened. */
function currentFile(path: string): Promise<OpenFile> {
  let pending = opening.get(path);
  if (!pending) {
    pending = (async () => {
      const known = openFiles.get(path);
      if (known) {
        const now = await statOf(path).catch((err: unknown) => {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw err;
        });
        if (now && now.dev === known.dev && now.ino === known.ino) {
          known.checkedAt = Date.now();
          return known;
        }
        retire(path, known);
      }
      const file = await openAppend(path);
      openFiles.set(path, file);
      return file;
    })().finally(() => opening.delete(path));
    opening.set(path, pending);
  }
  return pending;
}

async function appendLine(path: string, line: string): Promise<void> {
  const file = checkedFile(path) ?? (await currentFile(path));
  file.writing += 1;
  try {
    const bytes = Buffer.from(line, 'utf8');
    // One write of the whole line; a regular file takes it whole, the loop is for the odd short write.
    for (let at = 0; at < bytes.length; ) at += (await writeAt(file.fd, bytes, at)).bytesWritten;
  } catch (err) {
    // The next line opens the file again.
    retire(path, file);
    throw err;
  } finally {
    file.writing -= 1;
    closeWhenIdle(file);
  }
}

export default defineTarget({
  type: 'file',
  settings,
  // The line it appends: the bare alert.
  render: (alert) => alert,
  create(config) {
    // Relative paths resolve against ROUTER_DATA_DIR, else the working directory. The
    // deployment templates set ROUTER_DATA_DIR=/tmp: the code root is read-only on Lambda and FC.
    const path = resolve(process.env.ROUTER_DATA_DIR ?? '.', config.path);
    return {
      async send(alert) {
        // The bare alert: every line of the file validates against the alert schema.
        try {
          await appendLine(path, `${JSON.stringify(alert)}\n`);
        } catch (err) {
          return fileError(path, err);
        }
        return { outcome: 'delivered', detail: `appended to ${path}` };
      },
    };
  },
});
