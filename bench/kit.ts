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

/** The items rotated left by `by`: each round starts with another, so none always follows the same one. */
export function rotated<T>(items: readonly T[], by: number): T[] {
  const start = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

/** The router with its target `name` standing for every target, as one that does nothing. */
export function withNoopTarget(router: Router, name: string): Router {
  const [prepared] = router.targets([name]);
  if (!prepared) throw new Error(`the bench config has no target ${name}`);
  const noop: PreparedTarget = { ...prepared, target: { send: () => Promise.resolve({ outcome: 'delivered' }) } };
  return { ...router, targets: (names) => names.map(() => noop) };
}
