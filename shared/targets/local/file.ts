// Appends each alert as one JSON line to a local file (an audit trail, a spool for a log
// shipper, or the output of local runs). The file is opened once per container (O_APPEND)
// and kept open: one write per line, whole lines that do not interleave between concurrent
// deliveries. A path that was removed or replaced since (rotated, deleted) is opened again.
import { statSync } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { defineTarget } from '../contract';
import type { Outcome } from '../contract';
import { classifyError } from '../errors';

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

function fileError(path: string, err: unknown): Outcome {
  const code = (err as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' && Object.hasOwn(PERMANENT, code) ? PERMANENT[code] : undefined;
  if (reason) return { outcome: 'failed', retryable: false, detail: `cannot append to ${path}: ${reason} (${code})` };
  return classifyError(err);
}

interface OpenFile {
  handle: FileHandle;
  dev: number;
  ino: number;
}

/** Path -> its open file, shared by every file target of the container writing there. */
const openFiles = new Map<string, Promise<OpenFile>>();

async function openAppend(path: string): Promise<OpenFile> {
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, 'a');
  try {
    const { dev, ino } = await handle.stat();
    return { handle, dev, ino };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Closes the file (after its pending writes: FileHandle.close waits for them) and forgets it. */
function forget(path: string, file: Promise<OpenFile>): void {
  if (openFiles.get(path) === file) openFiles.delete(path);
  file.then(({ handle }) => handle.close()).catch(() => undefined);
}

/** The open file at `path` (and its entry), opened with its directory when there is none or the path now names another file. */
async function fileAt(path: string): Promise<[OpenFile, Promise<OpenFile>]> {
  const known = openFiles.get(path);
  if (known) {
    const file = await known.catch(() => undefined);
    // One stat of the path per line (microseconds, no thread pool): still the file we hold?
    const now = file && statSync(path, { throwIfNoEntry: false });
    if (file && now && now.dev === file.dev && now.ino === file.ino) return [file, known];
    forget(path, known);
  }
  const opening = openAppend(path);
  openFiles.set(path, opening);
  try {
    return [await opening, opening];
  } catch (err) {
    if (openFiles.get(path) === opening) openFiles.delete(path);
    throw err;
  }
}

async function appendLine(path: string, line: string): Promise<void> {
  const [file, entry] = await fileAt(path);
  try {
    const bytes = Buffer.from(line, 'utf8');
    // One write of the whole line; a regular file takes it whole, the loop is for the odd short write.
    for (let at = 0; at < bytes.length; ) at += (await file.handle.write(bytes, at)).bytesWritten;
  } catch (err) {
    // The next line opens the file again.
    forget(path, entry);
    throw err;
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
