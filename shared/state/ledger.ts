// The delivery ledger: one entry per (event id, target) that says whether that target has
// been sent that event. Before a target is sent an event, dispatch claims the entry:
// - no entry (or an expired one): a put-if-absent takes the lease, the target is sent the
//   event, and the entry is settled as delivered, skipped or failed;
// - delivered or skipped: the target already has the event; it is not sent again;
// - failed, or in progress with its lease expired (the invocation holding it died): a
//   put-if-version takes the lease over, so of two invocations retrying at once only one sends;
// - in progress with a live lease: another invocation is sending it right now. The caller
//   waits for it to settle (see `wait`), within its own deadline.
// A lease lasts as long as its holder may still be sending: until the holder's deadline (the
// function's remaining time), so it can only lapse once the holder can no longer deliver.
// Every store call is bounded by the configured timeout; a store that fails or is slow makes
// the claim `unavailable` and the caller delivers anyway (at least once, never held back).
import type { StateStore, StoredRecord } from './contract';
import { storeKey, uniqueToken, withTimeout, type StoreUseOptions } from './guard';

export type LedgerStatus = 'in-progress' | 'delivered' | 'skipped' | 'failed';

export interface LedgerEntry {
  eventId: string;
  target: string;
  dedupKey: string;
  status: LedgerStatus;
  /** The invocation holding (or that last held) the lease. */
  owner: string;
  /** Epoch ms: an in-progress entry whose lease is past this may be taken over. */
  leaseUntil: number;
  /** ISO time of the last change. */
  at: string;
  /** What the target returned (ticket key, message id...), once delivered. */
  ref?: string;
  detail?: string;
}

export interface Lease {
  eventId: string;
  target: string;
  owner: string;
  version: number;
  entry: LedgerEntry;
}

export type Claim =
  /** The lease is ours: send, then settle(). */
  | { kind: 'lease'; lease: Lease }
  /** The target already has the event. */
  | { kind: 'done'; entry: LedgerEntry }
  /** Another invocation holds a live lease. */
  | { kind: 'busy'; entry: LedgerEntry }
  /** The store failed or was too slow: deliver without it. */
  | { kind: 'unavailable'; detail: string };

/** Tries at a claim when other invocations keep changing the entry under us. */
const MAX_CLAIM_ROUNDS = 4;

export class Ledger {
  private readonly now: () => number;

  constructor(
    private readonly store: StateStore,
    private readonly options: StoreUseOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Asks for the lease of (eventId, target) until `leaseUntil` (epoch ms). The first try is
   * a put-if-absent (one round trip for a new event); `look` reads first instead, for an
   * entry known to exist (waiting for another invocation).
   */
  async claim(ref: { eventId: string; target: string; dedupKey: string }, leaseUntil: number, options: { look?: boolean } = {}): Promise<Claim> {
    const key = ledgerKey(ref.eventId, ref.target);
    const owner = uniqueToken();
    try {
      for (let round = 0; round < MAX_CLAIM_ROUNDS; round += 1) {
        const now = this.now();
        const entry: LedgerEntry = { ...ref, status: 'in-progress', owner, leaseUntil, at: new Date(now).toISOString() };
        const current = round === 0 && !options.look ? undefined : await this.read(key, now);
        if (current) {
          const { value } = current;
          if (value.status === 'delivered' || value.status === 'skipped') return { kind: 'done', entry: value };
          if (value.status === 'in-progress' && value.leaseUntil > now) return { kind: 'busy', entry: value };
        }
        const written = await this.guard(
          this.store.put({
            space: 'ledger',
            key,
            value: entry,
            expect: current ? { version: current.version } : { absent: true },
            expiresAt: this.expiresAt(now, leaseUntil),
            now,
          }),
        );
        if (written.written) return { kind: 'lease', lease: { eventId: ref.eventId, target: ref.target, owner, version: written.version, entry } };
      }
      // The entry changed under every try: someone else is working on it.
      const current = await this.read(key, this.now());
      return current ? { kind: 'busy', entry: current.value } : { kind: 'unavailable', detail: 'the ledger entry kept changing' };
    } catch (err) {
      return { kind: 'unavailable', detail: describe(err) };
    }
  }

  /**
   * Records how the send went. Returns false when the lease was lost meanwhile (it expired
   * and another invocation took it over) or the store failed: the caller's result stands.
   */
  async settle(lease: Lease, result: { status: Exclude<LedgerStatus, 'in-progress'>; ref?: string; detail?: string }): Promise<boolean> {
    const now = this.now();
    const entry: LedgerEntry = {
      ...lease.entry,
      status: result.status,
      at: new Date(now).toISOString(),
      ...(result.ref ? { ref: result.ref } : {}),
      ...(result.detail ? { detail: result.detail } : {}),
    };
    try {
      const written = await this.guard(
        this.store.put({
          space: 'ledger',
          key: ledgerKey(lease.eventId, lease.target),
          value: entry,
          expect: { version: lease.version },
          expiresAt: this.expiresAt(now, 0),
          now,
        }),
      );
      return written.written;
    } catch {
      return false;
    }
  }

  /** The entry of (eventId, target) as it is now, or undefined. Store errors reject. */
  async entry(eventId: string, target: string): Promise<LedgerEntry | undefined> {
    return (await this.read(ledgerKey(eventId, target), this.now()))?.value;
  }

  private async read(key: string, now: number): Promise<StoredRecord<LedgerEntry> | undefined> {
    return this.guard(this.store.get<LedgerEntry>('ledger', key, now));
  }

  private guard<T>(call: Promise<T>): Promise<T> {
    return withTimeout(call, this.options.timeoutMs, `${this.store.kind} store`);
  }

  /** Kept for the TTL, and never expiring before its lease does. */
  private expiresAt(now: number, leaseUntil: number): number {
    return Math.ceil(Math.max(now + this.options.ttlSeconds * 1000, leaseUntil + 60_000) / 1000);
  }
}

export function ledgerKey(eventId: string, target: string): string {
  // Target names never contain '#' (router.yaml's name pattern), so the key is unambiguous.
  return storeKey(`${eventId}#${target}`);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
