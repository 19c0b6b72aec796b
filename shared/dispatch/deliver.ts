// Fan-out of one alert to its targets: all in parallel, each attempt bounded by a timeout,
// retryable failures retried with jittered backoff, and nothing running past the
// function's deadline. A target that fails, throws or hangs never holds up another one.
import type { Logger } from '../log';
import type { Alert } from '../model/alert';
import type { AttemptContext, Outcome, Target } from '../targets/contract';
import { classifyError, oneLine } from '../targets/errors';
import { backoffDelay, sleep } from './backoff';
import { deliverOnce } from './once';
import type { DeliverOptions, DeliveryResult, PreparedTarget } from './types';

const DEFAULT_SAFETY_MARGIN_MS = 500;
/** An attempt shorter than this cannot reach any service: do not start it. */
const MIN_ATTEMPT_MS = 50;
/** A server asking for a longer pause than this is not waited for. */
const MAX_RETRY_AFTER_MS = 60_000;
const MAX_DETAIL = 500;

export async function deliver(alert: Alert, targets: PreparedTarget[], options: DeliverOptions): Promise<DeliveryResult[]> {
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
  const log = options.log.child({ target: prepared.name, type: prepared.type });
  const random = options.random ?? Math.random;
  const margin = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  const timeLeft = () => (options.deadline === undefined ? Infinity : options.deadline - margin - Date.now());
  const { timeoutMs, retries } = prepared.policy;
  const ref = options.refs && Object.hasOwn(options.refs, prepared.name) ? options.refs[prepared.name] : undefined;
  const started = Date.now();
  let attempts = 0;
  let outcome: Outcome | undefined;
  let stopReason = '';

  for (;;) {
    const budget = timeLeft();
    if (budget < MIN_ATTEMPT_MS) {
      stopReason = "no time left before the function's deadline";
      break;
    }
    attempts += 1;
    const byDeadline = budget < timeoutMs;
    // Lets a watcher (the command line's progress) say what is being waited on.
    log.debug('delivery attempt started', { attempt: attempts });
    outcome = await attempt(prepared.target, alert, { attempt: attempts, log, timeoutMs: Math.floor(Math.min(timeoutMs, budget)), byDeadline, ref });
    log.debug('delivery attempt', { attempt: attempts, outcome: outcome.outcome, detail: outcome.detail });
    if (outcome.outcome !== 'failed' || !outcome.retryable || attempts > retries) break;

    const retryAfterMs = outcome.retryAfterMs ?? 0;
    if (retryAfterMs > MAX_RETRY_AFTER_MS) {
      stopReason = `not retried: the server asked to wait ${Math.round(retryAfterMs / 1000)} s`;
      break;
    }
    const delayMs = Math.max(retryAfterMs, backoffDelay(attempts, random));
    if (delayMs + MIN_ATTEMPT_MS > timeLeft()) {
      stopReason = `not retried: the next attempt (in ${delayMs} ms) would pass the function's deadline`;
      break;
    }
    log.warn('delivery attempt failed, retrying', { attempt: attempts, detail: outcome.detail, delayMs });
    await sleep(delayMs);
  }

  const final: Outcome = outcome ?? { outcome: 'failed', retryable: true, detail: stopReason };
  const result = toResult(prepared, final, attempts, Date.now() - started, outcome ? stopReason : '');
  if (result.outcome === 'failed') log.warn('delivery failed', { attempts, detail: result.detail });
  return result;
}

function toResult(prepared: PreparedTarget, outcome: Outcome, attempts: number, latencyMs: number, note: string): DeliveryResult {
  const text = [outcome.detail, note].filter(Boolean).join('; ');
  return {
    target: prepared.name,
    type: prepared.type,
    outcome: outcome.outcome,
    ...(outcome.outcome === 'failed' ? { retryable: outcome.retryable } : {}),
    ...(outcome.outcome === 'skipped' ? { reason: 'not-applicable' as const } : {}),
    attempts,
    latencyMs,
    ...(text ? { detail: oneLine(text, MAX_DETAIL) } : {}),
    ...(outcome.outcome === 'delivered' && outcome.ref ? { ref: oneLine(outcome.ref, MAX_DETAIL) } : {}),
  };
}

interface AttemptOptions {
  attempt: number;
  log: Logger;
  timeoutMs: number;
  /** The timeout is the function's remaining time rather than the target's policy. */
  byDeadline: boolean;
  ref?: string;
}

/**
 * One send() raced against its timeout. The signal tells a well-behaved target to stop;
 * the race cuts off one that ignores it (its late result is dropped). The AbortController
 * and the attempt's logger are made only when the target reads them (most never do: the
 * controller costs as much as the rest of a no-op delivery); read after the timeout, the
 * signal is already aborted.
 */
function attempt(target: Target, alert: Alert, options: AttemptOptions): Promise<Outcome> {
  const context = new LazyAttemptContext(options);
  // The first of the two settles the attempt (a promise settles once): no race of two promises.
  return new Promise<Outcome>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Resolve before aborting, so the timeout wins over the target's reaction to the abort.
      const why = options.byDeadline ? " (the function's deadline is near)" : '';
      resolve({ outcome: 'failed', retryable: true, detail: `timed out after ${options.timeoutMs} ms${why}` });
      context.abort();
    }, options.timeoutMs);
    Promise.resolve()
      .then(() => target.send(alert, context))
      .then(checkOutcome, classifyError)
      .then(
        (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
  });
}

/** What send() gets: its abort signal and logger made on first read (the signal already aborted after the timeout). */
class LazyAttemptContext implements AttemptContext {
  readonly attempt: number;
  declare readonly ref?: string;
  readonly #parentLog: Logger;
  #log: Logger | undefined;
  #controller: AbortController | undefined;
  #timedOut = false;

  constructor(options: AttemptOptions) {
    this.attempt = options.attempt;
    this.#parentLog = options.log;
    if (options.ref) this.ref = options.ref;
  }

  get log(): Logger {
    return (this.#log ??= this.#parentLog.child({ attempt: this.attempt }));
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
