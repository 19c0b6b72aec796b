import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, backoffDelay } from '../../shared/dispatch/backoff';

describe('backoffDelay (full jitter)', () => {
  const ceiling = (retry: number) => Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (retry - 1));

  it('doubles its ceiling from 100 ms up to the 5 s cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(ceiling)).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it.each([1, 2, 3, 6, 7, 30])('stays in [0, ceiling) for retry %i', (retry) => {
    expect(backoffDelay(retry, () => 0)).toBe(0);
    expect(backoffDelay(retry, () => 0.999999)).toBe(ceiling(retry) - 1);
    expect(backoffDelay(retry, () => 0.5)).toBe(ceiling(retry) / 2);
    for (let sample = 0; sample < 500; sample++) {
      const delay = backoffDelay(retry);
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceiling(retry));
    }
  });

  it('spreads delays over the whole window', () => {
    const delays = Array.from({ length: 2000 }, () => backoffDelay(3));
    // 400 ms window: with 2000 samples every 100 ms quarter is hit.
    const quarters = new Set(delays.map((delay) => Math.floor(delay / 100)));
    expect([...quarters].sort()).toEqual([0, 1, 2, 3]);
  });

  it('clamps a random source outside [0, 1)', () => {
    expect(backoffDelay(2, () => 1)).toBe(199);
    expect(backoffDelay(2, () => -3)).toBe(0);
  });
});
