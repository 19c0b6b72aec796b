// Appends each alert as one JSON line to a local file (an audit trail, a spool for a log
// shipper, or the output of local runs). One appendFile per line: O_APPEND writes of whole
// lines do not interleave between concurrent deliveries.
import { appendFile, mkdir } from 'node:fs/promises';
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

export default defineTarget({
  type: 'file',
  settings,
  // The line it appends: the bare alert.
  render: (alert) => alert,
  create(config) {
    // Relative paths resolve against ROUTER_DATA_DIR, else the working directory. The
    // deployment templates set ROUTER_DATA_DIR=/tmp: the code root is read-only on Lambda and FC.
    const path = resolve(process.env.ROUTER_DATA_DIR ?? '.', config.path);
    // The directory is made once, not on every delivery; a failure makes it again next time.
    let directory: Promise<unknown> | undefined;
    return {
      async send(alert) {
        // The bare alert: every line of the file validates against the alert schema.
        const line = `${JSON.stringify(alert)}\n`;
        try {
          await (directory ??= mkdir(dirname(path), { recursive: true }));
          await appendFile(path, line, { encoding: 'utf8' });
        } catch (err) {
          directory = undefined;
          return fileError(path, err);
        }
        return { outcome: 'delivered', detail: `appended to ${path}` };
      },
    };
  },
});
