import { deliver } from '../../shared/dispatch/deliver';
import type { DeliverOptions, PreparedTarget } from '../../shared/dispatch/types';
import { createLogger, registerSecret, setLogLevel, setLogSink } from '../../shared/log';
import type { RetryPolicy } from '../../shared/route/types';
import type { AttemptContext, Outcome, Target } from '../../shared/targets/contract';
import { cloudWatchAlert } from '../targets/conformance';

const alert = cloudWatchAlert();
const logLines: string[] = [];
const log = createLogger({ test: 'deliver' });

beforeAll(() => {
  setLogSink((line) => logLines.push(line));
  setLogLevel('debug');
});

/** A target whose send() is the given function, recording each attempt's context and start time. */
function scripted(send: (ctx: AttemptContext, call: number) => Promise<Outcome> | Outcome) {
  const calls: Array<{ ctx: AttemptContext; at: number }> = [];
  const target: Target = {
    send: async (_alert, ctx) => {
      calls.push({ ctx, at: Date.now() });
      return send(ctx, calls.length);
    },
  };
  return { target, calls };
}

function prepared(name: string, target: Target, policy: Partial<RetryPolicy> = {}): PreparedTarget {
  return { name, type: 'test', target, policy: { timeoutMs: 1000, retries: 2, ...policy } };
}

const options = (extra: Partial<DeliverOptions> = {}): DeliverOptions => ({ log, random: () => 0, ...extra });
const retryable = (detail = 'HTTP 503', extra: Partial<Outcome> = {}): Outcome => ({ outcome: 'failed', retryable: true, detail, ...extra }) as Outcome;
const never = () => new Promise<Outcome>(() => undefined);

describe('deliver', () => {
  it('sends to all targets in parallel: a slow target does not hold up a fast one', async () => {
    const finished: string[] = [];
    let fastDone!: () => void;
    const fastFinished = new Promise<void>((resolve) => (fastDone = resolve));
    // The slow target finishes only after the fast one did: delivered sequentially,
    // slow first, it would wait for fast and time out.
    const slow = scripted(async () => {
      await fastFinished;
      finished.push('slow');
      return { outcome: 'delivered' };
    });
    const fast = scripted(() => {
      finished.push('fast');
      fastDone();
      return { outcome: 'delivered' };
    });

    const results = await deliver(alert, [prepared('slow', slow.target), prepared('fast', fast.target)], options());

    expect(finished).toEqual(['fast', 'slow']);
    expect(results.map((result) => [result.target, result.outcome, result.attempts])).toEqual([
      ['slow', 'delivered', 1],
      ['fast', 'delivered', 1],
    ]);
  });

  it("starts every attempt of the fan-out before any target's send() runs, a synchronous throw included", async () => {
    const from = logLines.length;
    const order: string[] = [];
    const started = () => logLines.slice(from).filter((line) => line.includes('"delivery attempt started"')).length;
    const first = scripted(() => {
      order.push(`first sent after ${started()} started`);
      return { outcome: 'delivered' };
    });
    const throwing: Target = {
      send: () => {
        order.push(`throwing sent after ${started()} started`);
        throw new Error('sync throw');
      },
    };
    const results = await deliver(alert, [prepared('first', first.target), prepared('throwing', throwing, { retries: 0 })], options());
    expect(order).toEqual(['first sent after 2 started', 'throwing sent after 2 started']);
    expect(results.map((result) => result.outcome)).toEqual(['delivered', 'failed']);
  });

  it('cuts off a target that ignores its signal, and still reports the others', async () => {
    const hanging = scripted(never);
    const healthy = scripted(() => ({ outcome: 'delivered', ref: 'MSG-1' }));

    const results = await deliver(alert, [prepared('hanging', hanging.target, { timeoutMs: 100, retries: 1 }), prepared('healthy', healthy.target)], options());

    expect(results[0]).toMatchObject({ target: 'hanging', outcome: 'failed', retryable: true, attempts: 2, detail: 'timed out after 100 ms' });
    expect(results[0]!.latencyMs).toBeGreaterThanOrEqual(200 - 5);
    expect(hanging.calls.every((call) => call.ctx.signal.aborted)).toBe(true);
    expect(results[1]).toMatchObject({ target: 'healthy', outcome: 'delivered', attempts: 1, ref: 'MSG-1' });
  });

  it('gives each attempt its number and a fresh signal', async () => {
    const flaky = scripted((_ctx, call) => (call < 3 ? retryable() : { outcome: 'delivered' }));
    const [result] = await deliver(alert, [prepared('flaky', flaky.target)], options());

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 3 });
    expect(flaky.calls.map((call) => call.ctx.attempt)).toEqual([1, 2, 3]);
    expect(new Set(flaky.calls.map((call) => call.ctx.signal)).size).toBe(3);
  });

  it('retries retryable failures at most policy.retries times', async () => {
    const down = scripted(() => retryable());
    const [result] = await deliver(alert, [prepared('down', down.target, { retries: 3 })], options());

    expect(result).toMatchObject({ outcome: 'failed', retryable: true, attempts: 4, detail: 'HTTP 503' });
    expect(down.calls).toHaveLength(4);
  });

  it('does not retry a failure that is not retryable, nor a skip', async () => {
    const rejected = scripted(() => ({ outcome: 'failed', retryable: false, detail: 'HTTP 400' }));
    const skipping = scripted(() => ({ outcome: 'skipped', detail: 'nothing to do for acknowledged' }));
    const results = await deliver(alert, [prepared('rejected', rejected.target), prepared('skipping', skipping.target)], options());

    expect(results[0]).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
    expect(results[1]).toEqual(expect.objectContaining({ outcome: 'skipped', attempts: 1, detail: 'nothing to do for acknowledged' }));
    expect(results[1]!.retryable).toBeUndefined();
  });

  it('waits between attempts: at least the jittered backoff', async () => {
    const flaky = scripted((_ctx, call) => (call < 3 ? retryable() : { outcome: 'delivered' }));
    // random 0.5: half of the 100 ms and 200 ms ceilings.
    await deliver(alert, [prepared('flaky', flaky.target)], options({ random: () => 0.5 }));

    const [first, second, third] = flaky.calls.map((call) => call.at) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(50 - 2);
    expect(third - second).toBeGreaterThanOrEqual(100 - 2);
  });

  it('honours a retry-after longer than the backoff', async () => {
    const throttled = scripted((_ctx, call) => (call === 1 ? retryable('HTTP 429', { retryAfterMs: 300 }) : { outcome: 'delivered' }));
    const [result] = await deliver(alert, [prepared('throttled', throttled.target)], options());

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
    expect(throttled.calls[1]!.at - throttled.calls[0]!.at).toBeGreaterThanOrEqual(300 - 2);
  });

  it('classifies a throw, synchronous or not', async () => {
    const refused = scripted(() => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8443'), { code: 'ECONNREFUSED' });
    });
    const invalid: Target = {
      send: () => {
        throw Object.assign(new Error('1 validation error detected'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
      },
    };
    const results = await deliver(alert, [prepared('refused', refused.target), prepared('invalid', invalid)], options());

    expect(results[0]).toMatchObject({ outcome: 'failed', retryable: true, attempts: 3, detail: 'connect ECONNREFUSED 127.0.0.1:8443' });
    expect(results[1]).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1, detail: 'HTTP 400: ValidationException: 1 validation error detected' });
  });

  it('turns a malformed outcome into a failure', async () => {
    const broken: Target = { send: async () => ({ outcome: 'sent' }) as unknown as Outcome };
    const [result] = await deliver(alert, [prepared('broken', broken)], options());
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1, detail: 'the target returned no valid outcome' });
  });

  it('redacts secrets and flattens details to one line', async () => {
    const secret = 'tok-9f8e7d6c5b4a';
    registerSecret(secret);
    const chatty = scripted(() => ({ outcome: 'failed', retryable: false, detail: `HTTP 401:\n  invalid token ${secret}\n` }));
    const [result] = await deliver(alert, [prepared('chatty', chatty.target)], options());

    expect(result!.detail).toBe('HTTP 401: invalid token [REDACTED]');
    expect(logLines.join('\n')).not.toContain(secret);
  });

  it('returns no results for no targets', async () => {
    await expect(deliver(alert, [], options())).resolves.toEqual([]);
  });

  describe('deadline', () => {
    it('stops retrying before the deadline and says so', async () => {
      const down = scripted(() => retryable());
      const deadline = Date.now() + 700;
      // random just under 1: backoff near its ceilings 100, 200, 400, 800 ms...
      const [result] = await deliver(alert, [prepared('down', down.target, { retries: 50 })], options({ deadline, safetyMarginMs: 100, random: () => 0.99 }));

      expect(Date.now()).toBeLessThanOrEqual(deadline);
      expect(result).toMatchObject({ outcome: 'failed', retryable: true });
      expect(result!.attempts).toBeGreaterThan(1);
      expect(result!.attempts).toBeLessThan(51);
      expect(result!.detail).toMatch(/^HTTP 503; not retried: the next attempt \(in \d+ ms\) would pass the function's deadline$/);
    });

    it("shortens an attempt's timeout to the time left", async () => {
      const hanging = scripted(never);
      const deadline = Date.now() + 400;
      const [result] = await deliver(alert, [prepared('hanging', hanging.target, { timeoutMs: 10_000 })], options({ deadline, safetyMarginMs: 100 }));

      expect(result).toMatchObject({ outcome: 'failed', retryable: true, attempts: 1 });
      // The attempt was given what was left before deadline - margin (at most 300 ms), not its 10 s.
      const given = Number(/^timed out after (\d+) ms \(the function's deadline is near\)/.exec(result!.detail ?? '')?.[1]);
      expect(given).toBeGreaterThan(0);
      expect(given).toBeLessThanOrEqual(300);
      expect(hanging.calls[0]!.ctx.signal.aborted).toBe(true);
    });

    it('does not retry when a retry-after would pass the deadline', async () => {
      const throttled = scripted(() => retryable('HTTP 429', { retryAfterMs: 5000 }));
      const [result] = await deliver(alert, [prepared('throttled', throttled.target)], options({ deadline: Date.now() + 1000, safetyMarginMs: 100 }));

      expect(result).toMatchObject({ outcome: 'failed', retryable: true, attempts: 1 });
      expect(result!.detail).toMatch(/would pass the function's deadline/);
    });

    it('makes no attempt when no time is left', async () => {
      const unused = scripted(() => ({ outcome: 'delivered' }));
      const [result] = await deliver(alert, [prepared('late', unused.target)], options({ deadline: Date.now() + 100, safetyMarginMs: 500 }));

      expect(result).toMatchObject({ outcome: 'failed', retryable: true, attempts: 0, detail: "no time left before the function's deadline" });
      expect(unused.calls).toHaveLength(0);
    });
  });

  it('does not wait for a retry-after longer than a minute, even without a deadline', async () => {
    const throttled = scripted(() => retryable('HTTP 429', { retryAfterMs: 3_600_000 }));
    const [result] = await deliver(alert, [prepared('throttled', throttled.target)], options());
    expect(result).toMatchObject({ outcome: 'failed', retryable: true, attempts: 1, detail: 'HTTP 429; not retried: the server asked to wait 3600 s' });
  });
});
