// The attempts' timeouts on one Node timer, pinned against what a timer per attempt
// (setTimeout, clearTimeout) gives: the same timeouts fire and the same do not, none before
// its delay, and the process is held exactly while one is pending.
import { cancelTimeout, pendingTimeouts, startTimeout, type PendingTimeout } from '../../shared/dispatch/timeouts';

/** Ref'd Node timers now (what keeps the process alive). */
const refedTimers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A deterministic sequence in [0, 1). */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

describe('attempt timeouts', () => {
  it('fires the same timeouts as a timer each, none before its delay', async () => {
    const next = random(7);
    const plan = Array.from({ length: 60 }, (_, i) => ({ id: i, delay: 1 + Math.floor(next() * 40), cancelled: next() < 0.4 }));
    const fired: Array<{ id: number; late: number }> = [];
    const byReference: number[] = [];
    for (const { id, delay, cancelled } of plan) {
      const started = performance.now();
      const entry = startTimeout(delay, () => fired.push({ id, late: performance.now() - started - delay }));
      // The straightforward mechanism, side by side: a timer of its own, cleared alike.
      const reference = setTimeout(() => byReference.push(id), delay);
      if (cancelled) {
        cancelTimeout(entry);
        clearTimeout(reference);
      }
    }
    // Bounded: every delay is at most 40 ms.
    for (let i = 0; i < 100 && (pendingTimeouts() > 0 || byReference.length < fired.length); i += 1) await wait(10);
    await wait(50);

    expect(pendingTimeouts()).toBe(0);
    expect(fired.map((f) => f.id).sort((a, b) => a - b)).toEqual([...byReference].sort((a, b) => a - b));
    expect(fired.map((f) => f.id).sort((a, b) => a - b)).toEqual(plan.filter((p) => !p.cancelled).map((p) => p.id));
    for (const { late } of fired) expect(late).toBeGreaterThanOrEqual(0);
  });

  it('holds the process while a timeout is pending, and not after', async () => {
    const before = refedTimers();
    const first = startTimeout(10_000, () => undefined);
    expect(refedTimers()).toBe(before + 1);
    const second = startTimeout(20_000, () => undefined);
    const earlier = startTimeout(5_000, () => undefined);
    expect(refedTimers()).toBe(before + 1);
    for (const entry of [second, first]) cancelTimeout(entry);
    expect(refedTimers()).toBe(before + 1);
    cancelTimeout(earlier);
    expect(refedTimers()).toBe(before);
    // The next timeout holds it again, whether the armed timer serves it or a new one does.
    const again = startTimeout(30_000, () => undefined);
    expect(refedTimers()).toBe(before + 1);
    cancelTimeout(again);
    expect(refedTimers()).toBe(before);
  });

  it('never fires a cancelled timeout, and cancelling twice or after firing does nothing', async () => {
    const calls: string[] = [];
    const cancelled = startTimeout(5, () => calls.push('cancelled'));
    const kept = startTimeout(5, () => calls.push('kept'));
    cancelTimeout(cancelled);
    cancelTimeout(cancelled);
    await wait(30);
    cancelTimeout(kept);
    expect(calls).toEqual(['kept']);
    expect(pendingTimeouts()).toBe(0);
  });

  it('takes timeouts started and cancelled from inside a firing one', async () => {
    const calls: string[] = [];
    let inner: PendingTimeout | undefined;
    const victim = startTimeout(40, () => calls.push('victim'));
    startTimeout(5, () => {
      calls.push('outer');
      cancelTimeout(victim);
      inner = startTimeout(5, () => calls.push('inner'));
    });
    await wait(60);
    expect(inner).toBeDefined();
    expect(calls).toEqual(['outer', 'inner']);
    expect(pendingTimeouts()).toBe(0);
  });
});
