// The bench's helpers: a median of no samples is refused, and the rounds' orders are
// permutations that vary both which step comes first and which step precedes which.
import { median, roundOrder } from '../../bench/kit';

it('takes the median of odd and even counts, and refuses no samples', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(() => median([])).toThrow('a median of no samples');
});

it('orders each round as a permutation, the same in every run, varying first items and predecessors', () => {
  const steps = ['json', 'noop', 'append', 'file', 'floor'];
  const rounds = Array.from({ length: 16 }, (_, round) => roundOrder(steps, round));
  for (const order of rounds) expect([...order].sort()).toEqual([...steps].sort());
  expect(rounds).toEqual(Array.from({ length: 16 }, (_, round) => roundOrder(steps, round)));
  expect(new Set(rounds.map((order) => order[0])).size).toBeGreaterThan(2);
  // A rotation would give every step one predecessor (apart from the round's first).
  const predecessors = new Map<string, Set<string>>();
  for (const order of rounds) {
    order.forEach((step, i) => {
      const before = order[i - 1];
      if (before !== undefined) predecessors.set(step, (predecessors.get(step) ?? new Set()).add(before));
    });
  }
  for (const step of steps) expect(predecessors.get(step)?.size ?? 0).toBeGreaterThan(1);
  expect(steps).toEqual(['json', 'noop', 'append', 'file', 'floor']);
});
