// Helpers of the bench scripts (index.ts, warm.ts, ledger.ts).
import type { PreparedTarget } from '../shared/dispatch/types';
import type { Router } from '../shared/runtime/router';

/** The median; a figure without samples is a broken run, not a zero. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid];
  if (upper === undefined) throw new Error('a median of no samples');
  const lower = sorted[mid - 1];
  return sorted.length % 2 === 0 && lower !== undefined ? (lower + upper) / 2 : upper;
}

/**
 * The items in the order of round `round`: shuffled by a generator seeded with the round, so
 * that no item always comes first or always follows the same one (a rotation would keep each
 * one's predecessor), and a run is repeatable.
 */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const order = [...items];
  // mulberry32, seeded with the round.
  let state = (round + 0x9e3779b9) >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const item = order[i] as T;
    order[i] = order[j] as T;
    order[j] = item;
  }
  return order;
}

/** The router with its target `name` standing for every target, as one that does nothing. */
export function withNoopTarget(router: Router, name: string): Router {
  const [prepared] = router.targets([name]);
  if (!prepared) throw new Error(`the bench config has no target ${name}`);
  const noop: PreparedTarget = { ...prepared, target: { send: () => Promise.resolve({ outcome: 'delivered' }) } };
  return { ...router, targets: (names) => names.map(() => noop) };
}
