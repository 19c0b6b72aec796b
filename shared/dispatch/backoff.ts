// Exponential backoff with full jitter: the n-th retry waits a uniform random time in
// [0, min(cap, base * 2^(n-1))), so that many functions retrying the same throttled API
// spread out instead of retrying in lockstep.

export const BACKOFF_BASE_MS = 100;
export const BACKOFF_CAP_MS = 5_000;

/** Delay before retry number `retry` (1 for the first retry). `random` returns [0, 1). */
export function backoffDelay(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, retry - 1));
  const fraction = Math.min(Math.max(random(), 0), 1);
  return Math.min(Math.floor(fraction * ceiling), ceiling - 1);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
