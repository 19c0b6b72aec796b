import { deliver } from '../../../shared/dispatch/deliver';
import { createLogger, setLogSink } from '../../../shared/log';
import type { Alert } from '../../../shared/model/alert';
import consoleTarget from '../../../shared/targets/local/console';
import { armsAlert, cloudWatchAlert, describeConformance } from '../conformance';

/** Takes over process.stdout.write and keeps what is written (the console target's only output). */
function captureStdout() {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown, encoding?: unknown, callback?: unknown) => {
    chunks.push(String(chunk));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') done();
    return true;
  }) as typeof process.stdout.write);
  return { chunks, restore: () => spy.mockRestore() };
}

describeConformance({
  type: 'console',
  // No service to throttle or break: stdout takes every line.
  modes: ['ok'],
  network: false,
  async start() {
    const stdout = captureStdout();
    return {
      settings: { format: 'json' },
      secrets: [],
      respondWith: () => undefined,
      requests: () => stdout.chunks.length,
      stop: async () => stdout.restore(),
    };
  },
});

describe('console target', () => {
  const log = createLogger({ test: 'console' });
  let stdout: ReturnType<typeof captureStdout>;

  beforeAll(() => setLogSink(() => undefined));
  beforeEach(() => {
    stdout = captureStdout();
  });
  afterEach(() => stdout.restore());

  const run = async (settings: Record<string, unknown>, alert: Alert) => {
    const target = await consoleTarget.create(consoleTarget.settings.parse(settings), { name: 'stdout', log, alibabaCredentials: () => undefined });
    const [result] = await deliver(alert, [{ name: 'stdout', type: 'console', target, policy: { timeoutMs: 1000, retries: 0 } }], { log });
    return result!;
  };

  it('writes the alert as one JSON line by default', async () => {
    const alert = armsAlert();
    const result = await run({}, alert);

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1 });
    expect(stdout.chunks).toHaveLength(1);
    const [line] = stdout.chunks as [string];
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd()).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({ target: 'stdout', alert });
  });

  it('writes one human line with format: text', async () => {
    const alert = cloudWatchAlert({ summary: 'CPU above 90%\nfor 5 minutes' });
    await run({ format: 'text' }, alert);

    expect(stdout.chunks).toEqual(['[FIRING] critical ServerCpuTooHigh: CPU above 90% for 5 minutes (aws.cloudwatch, 123456789012/us-east-1)\n']);
  });

  it('names the status of lifecycle events in text', async () => {
    await run({ format: 'text' }, armsAlert({ status: 'acknowledged' }));
    expect(stdout.chunks[0]).toMatch(/^\[ACKNOWLEDGED\] error Manually triggered alert: Manually triggered test alert \(alibaba\.arms, 1100000000000\/cn-hangzhou\)\n$/);
  });

  it('validates its settings', () => {
    expect(consoleTarget.settings.parse({})).toEqual({ format: 'json' });
    expect(consoleTarget.settings.safeParse({ format: 'yaml' }).success).toBe(false);
    expect(consoleTarget.settings.safeParse({ fromat: 'text' }).success).toBe(false);
  });
});
