// The ledger's lease rules on each store, with a clock the test moves.
import { Ledger } from '../../shared/state/ledger';
import { storeHarnesses, type StartedStore } from './adapters';

describe.each(storeHarnesses)('ledger on the $name store', (harness) => {
  let started: StartedStore;
  let clock = Date.UTC(2026, 2, 1, 10, 0, 0);
  const now = () => clock;
  let ledger: Ledger;
  let n = 0;
  const ref = () => ({ eventId: `${harness.name}-event-${(n += 1)}`, target: 'hook', dedupKey: 'arn:aws:cloudwatch:us-east-1:1:alarm:x' });

  beforeAll(async () => {
    started = await harness.start();
    ledger = new Ledger(started.store, { timeoutMs: 5000, ttlSeconds: 3600, now });
  });
  afterAll(async () => {
    await started.store.close?.();
    await started.stop();
  });

  test('a new event gets the lease; once delivered, the next claim is done with the ref', async () => {
    const r = ref();
    const claim = await ledger.claim(r, clock + 10_000);
    expect(claim.kind).toBe('lease');
    if (claim.kind !== 'lease') return;
    expect(await ledger.settle(claim.lease, { status: 'delivered', ref: 'OPS-7' })).toBe(true);
    expect(await ledger.claim(r, clock + 10_000)).toEqual({ kind: 'done', entry: expect.objectContaining({ status: 'delivered', ref: 'OPS-7' }) });
  });

  test('a live lease is busy for others; once it lapses one claimant takes it over and the old holder cannot settle', async () => {
    const r = ref();
    const first = await ledger.claim(r, clock + 10_000);
    expect(first.kind).toBe('lease');
    expect(await ledger.claim(r, clock + 10_000)).toMatchObject({ kind: 'busy', entry: { status: 'in-progress' } });
    clock += 10_001;
    const takeovers = await Promise.all([ledger.claim(r, clock + 10_000), ledger.claim(r, clock + 10_000), ledger.claim(r, clock + 10_000)]);
    expect(takeovers.filter((c) => c.kind === 'lease')).toHaveLength(1);
    expect(takeovers.filter((c) => c.kind === 'busy')).toHaveLength(2);
    if (first.kind === 'lease') expect(await ledger.settle(first.lease, { status: 'delivered' })).toBe(false);
  });

  test('a failed delivery is taken over at once by the next claim', async () => {
    const r = ref();
    const first = await ledger.claim(r, clock + 60_000);
    if (first.kind !== 'lease') throw new Error(first.kind);
    await ledger.settle(first.lease, { status: 'failed', detail: 'HTTP 503' });
    const next = await ledger.claim(r, clock + 60_000);
    expect(next.kind).toBe('lease');
  });

  test('entries expire after the TTL: the event is new again', async () => {
    const r = ref();
    const first = await ledger.claim(r, clock + 1000);
    if (first.kind !== 'lease') throw new Error(first.kind);
    await ledger.settle(first.lease, { status: 'delivered' });
    clock += 3600_000 + 1000;
    expect((await ledger.claim(r, clock + 1000)).kind).toBe('lease');
  });
});
