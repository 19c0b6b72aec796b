// Delivery through the ledger: a target is sent an event only if the ledger says it does
// not have it yet and no other invocation is sending it right now. Every way the store can
// fail leads to delivering anyway (at least once), marked in the result.
import type { Alert } from '../model/alert';
import type { Claim, Ledger } from '../state/ledger';
import { BACKOFF_CAP_MS, sleep } from './backoff';
import type { DeliveryResult, PreparedTarget } from './types';

/** First and longest pause between two looks at an entry another invocation is sending. */
const WAIT_FIRST_MS = 100;
const WAIT_MAX_MS = 1_000;

export interface OnceOptions {
  ledger: Ledger;
  deadline?: number;
  /** Time kept free before the deadline, as deliver() keeps it. */
  safetyMarginMs: number;
}

/**
 * `send` runs the target's delivery (attempts, retries) when the ledger lets it. The lease
 * lasts until the deadline, or, without one, as long as every attempt and backoff can take.
 */
export async function deliverOnce(
  alert: Alert,
  prepared: PreparedTarget,
  options: OnceOptions,
  send: () => Promise<DeliveryResult>,
): Promise<DeliveryResult> {
  const { ledger } = options;
  const { timeoutMs, retries } = prepared.policy;
  const leaseUntil = options.deadline ?? Date.now() + timeoutMs * (retries + 1) + BACKOFF_CAP_MS * retries + options.safetyMarginMs;
  const ref = { eventId: alert.id, target: prepared.name, dedupKey: alert.dedupKey };
  const started = Date.now();

  let claim: Claim = await ledger.claim(ref, leaseUntil);
  for (let wait = WAIT_FIRST_MS; claim.kind === 'busy'; wait = Math.min(wait * 2, WAIT_MAX_MS)) {
    const left = (options.deadline ?? claim.entry.leaseUntil) - options.safetyMarginMs - Date.now();
    if (left < wait) {
      // Failing makes the platform retry this invocation: by then the other one has
      // settled (skipped then) or its lease has lapsed (sent then).
      return {
        target: prepared.name,
        type: prepared.type,
        outcome: 'failed',
        retryable: true,
        attempts: 0,
        latencyMs: Date.now() - started,
        detail: `another invocation is delivering this event (lease until ${new Date(claim.entry.leaseUntil).toISOString()})`,
        reason: 'in-progress-elsewhere',
      };
    }
    await sleep(wait);
    claim = await ledger.claim(ref, leaseUntil, { look: true });
  }

  switch (claim.kind) {
    case 'done':
      return {
        target: prepared.name,
        type: prepared.type,
        outcome: 'skipped',
        attempts: 0,
        latencyMs: Date.now() - started,
        detail: `already ${claim.entry.status} at ${claim.entry.at} by an earlier invocation`,
        reason: 'already-delivered',
        earlier: claim.entry.status === 'delivered' ? 'delivered' : 'skipped',
        ...(claim.entry.ref ? { ref: claim.entry.ref } : {}),
      };
    case 'unavailable': {
      const result = await send();
      return { ...result, ledger: 'unavailable' };
    }
    case 'lease': {
      const result = await send();
      const settled = await ledger.settle(claim.lease, {
        status: result.outcome,
        ...(result.ref ? { ref: result.ref } : {}),
        ...(result.detail ? { detail: result.detail } : {}),
      });
      return settled ? result : { ...result, ledger: 'unavailable' };
    }
  }
}
