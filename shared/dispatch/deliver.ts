// Fan-out of one alert to its targets: all in parallel, each attempt bounded by a timeout,
// retryable failures retried with jittered backoff, and nothing running past the
// function's deadline. A target that fails, throws or hangs never holds up another one.
import { isLogged, type Logger } from '../log';
import type { Alert } from '../model/alert';
import type { AttemptContext, Outcome, Target } from '../targets/contract';
import { classifyError, oneLine } from '../targets/errors';
import { backoffDelay, sleep } from './backoff';
import { deliverOnce } from './once';
import { cancelTimeout, startTimeout } from './timeouts';
import type { DeliverOptions, DeliveryResult, PreparedTarget } from './types';

const DEFAULT_SAFETY_MARGIN_MS = 500;
/** An attempt shorter than this cannot reach any service: do not start it. */
const MIN_ATTEMPT_MS = 50;
/** A server asking for a longer pause than this is not waited for. */
const MAX_RETRY_AFTER_MS = 60_000;
const MAX_DETAIL = 500;

// Not async: it returns Promise.all's promise itself (an async function would wrap it in
// another, two turns of the microtask queue later).
export function deliver(alert: Alert, targets: PreparedTarget[], options: DeliverOptions): Promise<DeliveryResult[]> {
  const { ledger } = options;
  const safetyMarginMs = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  return Promise.all(
    targets.map((prepared) =>
      (ledger
        ? deliverOnce(alert, prepared, { ledger, deadline: options.deadline, safetyMarginMs }, () => deliverToTarget(alert, prepared, options))
        : deliverToTarget(alert, prepared, options)
      ).catch((err: unknown) => {
        // deliverToTarget catches everything a target does; this guards dispatch's own bugs.
        const outcome = classifyError(err);
        return toResult(prepared, outcome, 0, 0, '');
      }),
    ),
  );
}

async function deliverToTarget(alert: Alert, prepared: PreparedTarget, options: DeliverOptions): Promise<DeliveryResult> {
  // Made on its first line: at the info level a delivery that succeeds writes none.
  const log = new DeliveryLog(options.log, prepared);
  const { deadline } = options;
  const margin = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  const { timeoutMs, retries } = prepared.policy;
  const ref = options.refs && Object.hasOwn(options.refs, prepared.name) ? options.refs[prepared.name] : undefined;
  const started = Date.now();
  let attempts = 0;
  let outcome: Outcome | undefined;
  let stopReason = '';

  for (;;) {
    const budget = timeLeft(deadline, margin);
    if (budget < MIN_ATTEMPT_MS) {
      stopReason = "no time left before the function's deadline";
      break;
    }
    attempts += 1;
    // Lets a watcher (the command line's progress) say what is being waited on.
    if (isLogged('debug')) log.get().debug('delivery attempt started', { attempt: attempts });
    outcome = await attempt(prepared.target, alert, new LazyAttemptContext(attempts, log, ref), Math.floor(Math.min(timeoutMs, budget)), budget < timeoutMs);
    if (isLogged('debug')) log.get().debug('delivery attempt', { attempt: attempts, outcome: outcome.outcome, detail: outcome.detail });
    if (outcome.outcome !== 'failed' || !outcome.retryable || attempts > retries) break;

    const retryAfterMs = outcome.retryAfterMs ?? 0;
    if (retryAfterMs > MAX_RETRY_AFTER_MS) {
      stopReason = `not retried: the server asked to wait ${Math.round(retryAfterMs / 1000)} s`;
      break;
    }
    const delayMs = Math.max(retryAfterMs, backoffDelay(attempts, options.random ?? Math.random));
    if (delayMs + MIN_ATTEMPT_MS > timeLeft(deadline, margin)) {
      stopReason = `not retried: the next attempt (in ${delayMs} ms) would pass the function's deadline`;
      break;
    }
    log.get().warn('delivery attempt failed, retrying', { attempt: attempts, detail: outcome.detail, delayMs });
    await sleep(delayMs);
  }

  const final: Outcome = outcome ?? { outcome: 'failed', retryable: true, detail: stopReason };
  const result = toResult(prepared, final, attempts, Date.now() - started, outcome ? stopReason : '');
  if (result.outcome === 'failed') log.get().warn('delivery failed', { attempts, detail: result.detail });
  return result;
}

/** Milliseconds left before the function's deadline less the safety margin (no closure per delivery). */
function timeLeft(deadline: number | undefined, margin: number): number {
  return deadline === undefined ? Infinity : deadline - margin - Date.now();
}

/** The logger of one delivery (the target's name and type on each line), made when first used. */
class DeliveryLog {
  #log: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly prepared: PreparedTarget,
  ) {}

  get(): Logger {
    return (this.#log ??= this.parent.child({ target: this.prepared.name, type: this.prepared.type }));
  }
}

function toResult(prepared: PreparedTarget, outcome: Outcome, attempts: number, latencyMs: number, note: string): DeliveryResult {
  const text = outcome.detail ? (note ? `${outcome.detail}; ${note}` : outcome.detail) : note;
  // Each outcome's fields in the order the report line has always had them.
  const { name: target, type } = prepared;
  const result: DeliveryResult =
    outcome.outcome === 'failed'
      ? { target, type, outcome: 'failed', retryable: outcome.retryable, attempts, latencyMs }
      : outcome.outcome === 'skipped'
        ? { target, type, outcome: 'skipped', reason: 'not-applicable', attempts, latencyMs }
        : { target, type, outcome: 'delivered', attempts, latencyMs };
  if (text) result.detail = oneLine(text, MAX_DETAIL);
  if (outcome.outcome === 'delivered' && outcome.ref) result.ref = oneLine(outcome.ref, MAX_DETAIL);
  return result;
}

/**
 * One send() against its timeout, settled by whichever comes first (a promise settles once:
 * no race of two promises). The signal tells a well-behaved target to stop; the timeout cuts
 * off one that ignores it (its late result is dropped). `byDeadline`: the timeout is the
 * function's remaining time rather than the target's policy.
 */
function attempt(target: Target, alert: Alert, context: LazyAttemptContext, timeoutMs: number, byDeadline: boolean): Promise<Outcome> {
  return new Promise<Outcome>((resolve, reject) => {
    const timeout = startTimeout(timeoutMs, () => {
      // Resolve before aborting, so the timeout wins over the target's reaction to the abort.
      const why = byDeadline ? " (the function's deadline is near)" : '';
      resolve({ outcome: 'failed', retryable: true, detail: `timed out after ${timeoutMs} ms${why}` });
      context.abort();
    });
    const sent = (value: unknown) => {
      cancelTimeout(timeout);
      settle(resolve, reject, checkOutcome, value);
    };
    const failed = (err: unknown) => {
      cancelTimeout(timeout);
      settle(resolve, reject, classifyError, err);
    };
    // send() runs in a microtask, after every attempt of the fan-out has started; its promise
    // is followed directly (a promise returned from a `.then()` callback would cost two more
    // turns of the queue). Not queueMicrotask(): Node makes an async resource for each.
    void Promise.resolve().then(() => {
      let result: unknown;
      try {
        result = target.send(alert, context);
      } catch (err) {
        failed(err);
        return;
      }
      Promise.resolve(result).then(sent, failed);
    });
  });
}

/** Resolves with what send() came to; checkOutcome and classifyError do not throw, but a bug of dispatch's own rejects. */
function settle(resolve: (outcome: Outcome) => void, reject: (err: Error) => void, outcomeOf: (value: unknown) => Outcome, value: unknown): void {
  try {
    resolve(outcomeOf(value));
  } catch (err) {
    reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * What send() gets. The AbortController and the attempt's logger are made only when the
 * target reads them (most never do: the controller costs as much as the rest of a no-op
 * delivery); read after the timeout, the signal is already aborted.
 */
class LazyAttemptContext implements AttemptContext {
  declare readonly ref?: string;
  readonly #deliveryLog: DeliveryLog;
  #log: Logger | undefined;
  #controller: AbortController | undefined;
  #timedOut = false;

  constructor(
    readonly attempt: number,
    deliveryLog: DeliveryLog,
    ref: string | undefined,
  ) {
    this.#deliveryLog = deliveryLog;
    if (ref) this.ref = ref;
  }

  get log(): Logger {
    return (this.#log ??= this.#deliveryLog.get().child({ attempt: this.attempt }));
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.#timedOut && !this.#controller.signal.aborted) this.abort();
    return this.#controller.signal;
  }

  abort(): void {
    this.#timedOut = true;
    this.#controller?.abort(new DOMException('delivery attempt timed out', 'TimeoutError'));
  }
}

/** A target's return value as a well-formed Outcome (a malformed one is a failure, not a crash). */
function checkOutcome(value: unknown): Outcome {
  const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const detail = typeof o.detail === 'string' ? o.detail : undefined;
  if (o.outcome === 'delivered') {
    return { outcome: 'delivered', ...(detail ? { detail } : {}), ...(typeof o.ref === 'string' ? { ref: o.ref } : {}) };
  }
  if (o.outcome === 'skipped') return { outcome: 'skipped', detail: detail ?? 'skipped' };
  if (o.outcome === 'failed' && typeof o.retryable === 'boolean') {
    const retryAfterMs = typeof o.retryAfterMs === 'number' && o.retryAfterMs >= 0 ? o.retryAfterMs : undefined;
    return { outcome: 'failed', retryable: o.retryable, detail: detail ?? 'failed', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  return { outcome: 'failed', retryable: false, detail: 'the target returned no valid outcome' };
}
