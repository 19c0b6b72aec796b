import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { deliver } from '../../../shared/dispatch/deliver';
import type { DeliveryResult } from '../../../shared/dispatch/types';
import { createLogger, setLogSink } from '../../../shared/log';
import { alertSchema, type Alert } from '../../../shared/model/alert';
import fileTarget from '../../../shared/targets/local/file';
import { armsAlert, cloudWatchAlert, describeConformance } from '../conformance';

function linesOf(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * The target checks its path again once 100 ms passed since the last check: tests fake Date
 * alone, to move that clock on after they change the path; the writes and the dispatcher's
 * timers run for real.
 */
function fakeDateOnly(): (ms: number) => void {
  jest.useFakeTimers({
    doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'],
  });
  return (ms) => jest.setSystemTime(Date.now() + ms);
}

describeConformance({
  type: 'file',
  // A file cannot throttle or hang; a client error is a path that is a directory.
  modes: ['ok', 'client-error'],
  network: false,
  async start() {
    const later = fakeDateOnly();
    const dir = await mkdtemp(join(tmpdir(), 'alert-router-file-conformance-'));
    const path = join(dir, 'spool', 'alerts.jsonl');
    // Lines of the file before client-error replaced it by a directory.
    let archived = 0;
    const isDirectory = () => existsSync(path) && statSync(path).isDirectory();
    return {
      settings: { path },
      secrets: [],
      respondWith(mode) {
        if (mode === 'client-error' && !isDirectory()) {
          archived += linesOf(path).length;
          rmSync(path, { force: true });
          mkdirSync(path, { recursive: true });
        } else if (mode !== 'client-error' && isDirectory()) {
          rmSync(path, { recursive: true });
        }
        later(100);
      },
      requests: () => archived + linesOf(path).length,
      stop: async () => {
        jest.useRealTimers();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
});

describe('file target', () => {
  const log = createLogger({ test: 'file' });
  let dir: string;

  beforeAll(async () => {
    setLogSink(() => undefined);
    dir = await mkdtemp(join(tmpdir(), 'alert-router-file-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const deliverTo = async (path: string, alerts: Alert[]): Promise<DeliveryResult[]> => {
    const target = await fileTarget.create(fileTarget.settings.parse({ path }), { name: 'spool', log, alibabaCredentials: () => undefined });
    const prepared = { name: 'spool', type: 'file', target, policy: { timeoutMs: 5000, retries: 2 } };
    const results = await Promise.all(alerts.map((alert) => deliver(alert, [prepared], { log })));
    return results.flat();
  };

  it('appends one alert per line, creating parent directories', async () => {
    const path = join(dir, 'a', 'b', 'alerts.jsonl');
    const first = cloudWatchAlert();
    const second = armsAlert();

    await deliverTo(path, [first]);
    const results = await deliverTo(path, [second]);

    expect(results[0]).toMatchObject({ outcome: 'delivered', attempts: 1 });
    const lines = linesOf(path);
    expect(lines.map((line) => alertSchema.parse(JSON.parse(line)))).toEqual([first, second]);
    expect((await readFile(path, 'utf8')).endsWith('\n')).toBe(true);
  });

  it('resolves a relative path against the working directory', async () => {
    const absolute = join(dir, 'relative', 'alerts.jsonl');
    await deliverTo(relative(process.cwd(), absolute), [cloudWatchAlert()]);
    expect(linesOf(absolute)).toHaveLength(1);
  });

  it('resolves a relative path against ROUTER_DATA_DIR when it is set (/tmp on Lambda and FC)', async () => {
    process.env.ROUTER_DATA_DIR = join(dir, 'data-dir');
    try {
      await deliverTo('out/alerts.jsonl', [cloudWatchAlert()]);
    } finally {
      delete process.env.ROUTER_DATA_DIR;
    }
    expect(linesOf(join(dir, 'data-dir', 'out', 'alerts.jsonl'))).toHaveLength(1);
  });

  it('keeps whole lines under concurrent deliveries', async () => {
    const path = join(dir, 'concurrent.jsonl');
    // Large lines make interleaved writes visible as broken JSON.
    const alerts = Array.from({ length: 40 }, (_, i) => cloudWatchAlert({ id: `alert-${i}`, description: `${i}`.repeat(64 * 1024) }));

    const results = await deliverTo(path, alerts);

    expect(results.every((result) => result.outcome === 'delivered')).toBe(true);
    const ids = linesOf(path).map((line) => alertSchema.parse(JSON.parse(line)).id);
    expect(ids.sort()).toEqual(alerts.map((alert) => alert.id).sort());
  });

  it('keeps its file open across deliveries, and opens it again once removed or replaced', async () => {
    const later = fakeDateOnly();
    try {
      const path = join(dir, 'rotated', 'alerts.jsonl');
      const target = await fileTarget.create(fileTarget.settings.parse({ path }), { name: 'spool', log, alibabaCredentials: () => undefined });
      const send = (id: string) => target.send(cloudWatchAlert({ id }), { signal: new AbortController().signal, attempt: 1, log });
      const ids = (file: string) => linesOf(file).map((line) => alertSchema.parse(JSON.parse(line)).id);

      await send('one');
      later(500);
      await send('two');
      // Rotated by renaming. A line of the same burst (less than 100 ms after the last
      // check) still goes to the file held open, now the renamed one...
      await rename(path, `${path}.1`);
      later(99);
      await send('three');
      expect(ids(`${path}.1`)).toEqual(['one', 'two', 'three']);
      expect(existsSync(path)).toBe(false);
      // ...the next one, 100 ms after that check, to a new file at the path.
      later(100);
      await send('four');
      expect(ids(`${path}.1`)).toEqual(['one', 'two', 'three']);
      expect(ids(path)).toEqual(['four']);
      // Removed, directory and all.
      rmSync(dirname(path), { recursive: true });
      later(100);
      await send('five');
      await send('six');
      expect(ids(path)).toEqual(['five', 'six']);
      // A clock set back does not stretch the trust: the path is checked.
      rmSync(path);
      later(-60_000);
      await send('seven');
      expect(ids(path)).toEqual(['seven']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('fails for good when the path is a directory', async () => {
    const path = join(dir, 'is-a-dir');
    await mkdir(path);
    const [result] = await deliverTo(path, [cloudWatchAlert()]);
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
    expect(result!.detail).toBe(`cannot append to ${path}: is a directory (EISDIR)`);
  });

  it('fails for good when a parent is a file', async () => {
    const parent = join(dir, 'plain-file');
    await writeFile(parent, 'x');
    const path = join(parent, 'alerts.jsonl');
    const [result] = await deliverTo(path, [cloudWatchAlert()]);
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
    expect(result!.detail).toMatch(new RegExp(`^cannot append to ${path}: a parent of it is not a directory \\((EEXIST|ENOTDIR)\\)$`));
  });

  it('a named pipe that no process reads: fails at once, retryable, and the alert\'s other target is not held up', async () => {
    const path = join(dir, 'spool.fifo');
    execFileSync('mkfifo', [path]);
    const pipe = await fileTarget.create(fileTarget.settings.parse({ path }), { name: 'pipe', log, alibabaCredentials: () => undefined });
    const other = await fileTarget.create(fileTarget.settings.parse({ path: join(dir, 'beside-the-pipe.jsonl') }), { name: 'other', log, alibabaCredentials: () => undefined });
    const policy = { timeoutMs: 1000, retries: 0 };
    const results = await deliver(cloudWatchAlert(), [
      { name: 'pipe', type: 'file', target: pipe, policy },
      { name: 'other', type: 'file', target: other, policy },
    ], { log });
    expect(results).toEqual([
      expect.objectContaining({ target: 'pipe', outcome: 'failed', retryable: true, detail: `cannot append to ${path}: it is a named pipe that no process reads (ENXIO)` }),
      expect.objectContaining({ target: 'other', outcome: 'delivered' }),
    ]);
  });

  // root ignores file modes, so this one only runs as an ordinary user.
  (process.getuid?.() === 0 ? it.skip : it)('fails for good without write permission', async () => {
    const locked = join(dir, 'locked');
    await mkdir(locked, { mode: 0o500 });
    try {
      const [result] = await deliverTo(join(locked, 'alerts.jsonl'), [cloudWatchAlert()]);
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
      expect(result!.detail).toMatch(/permission denied \(EACCES\)/);
    } finally {
      await chmod(locked, 0o700);
    }
  });

  it('validates its settings', () => {
    expect(fileTarget.settings.safeParse({}).success).toBe(false);
    expect(fileTarget.settings.safeParse({ path: '' }).success).toBe(false);
    expect(fileTarget.settings.safeParse({ path: 'a.jsonl', mode: 0o600 }).success).toBe(false);
  });
});
