// The handler factory every function in functions/ uses: the platform adapter reads the
// invocation (request id, deadline, credentials), decode splits it into deliveries, and
// each delivery runs through the pipeline. The deliveries of a batch run with bounded
// concurrency under the one deadline, each isolated: a bad or hostile one, even one that
// crashes the pipeline, becomes a refused report and never stops the others. The
// invocation fails when any delivery was refused or failed, so that the platform's retries
// and its on-failure destination / dead-letter queue act on it (see docs/runtime.md).
import middy from '@middy/core';
import type { Context as LambdaContext } from 'aws-lambda';
import type { EventType } from '../normalize';
import { clipped, RouterError } from '../model/errors';
import { createLogger, type Logger } from '../log';
import { decodeEvents, type Decoded } from './decode';
import { fcAdapter, type FcContext } from './fc';
import { lambdaAdapter } from './lambda';
import type { PlatformAdapter } from './platform';
import { getRouter, type Router } from './router';
import { crashed, isRefused, processEvent, type EventReport } from './pipeline';
import { rawEventForLog } from './raw-log';

export type { FcContext } from './fc';

/** Lambda and FC contexts both reach the same handler; middy's types want a Lambda one. */
export type RuntimeContext = LambdaContext & FcContext;

/** What a handler returns: one report for one event, an array for a batch. */
export type HandlerResult = EventReport | EventReport[];

/** Deliveries of one batch in flight at once: a 20-event FC batch takes two rounds of its slowest target. */
export const BATCH_CONCURRENCY = 10;

/** Thrown after the reports are logged, when any event was refused or any delivery failed. */
export class InvocationFailedError extends Error {
  constructor(readonly reports: EventReport[]) {
    super(summarize(reports));
    this.name = 'InvocationFailedError';
    // The reports are in the logs; a stack trace would only hide them.
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** Problems an invocation's error names; the rest are counted (every report is in the logs). */
const SUMMARIZED_PROBLEMS = 10;

function summarize(reports: EventReport[]): string {
  const problems = reports.flatMap((report) =>
    isRefused(report)
      ? [`event ${clipped(report.eventId ?? '(no id)', 200)} refused: ${report.error.message}`]
      : report.deliveries
          .filter((d) => d.outcome === 'failed')
          .map((d) => `${d.target} failed after ${String(d.attempts)} attempt(s): ${d.detail ?? ''}`.trim()),
  );
  const more = problems.length - SUMMARIZED_PROBLEMS;
  return problems.slice(0, SUMMARIZED_PROBLEMS).join('; ') + (more > 0 ? `; and ${more} more (see the delivery reports in the log)` : '');
}

/** Runs `task` over every item with at most `limit` in flight; results in input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** One delivery, isolated: whatever it throws becomes its refused report. */
async function runIsolated(raw: unknown, received: unknown, router: Router, eventType: EventType, deadline: number | undefined, log: Logger): Promise<EventReport> {
  try {
    return await processEvent(raw, { router, expectedType: eventType, deadline, log, received });
  } catch (error) {
    const report = crashed(raw, error);
    log.error('event crashed the pipeline', { report, event: rawEventForLog(received ?? raw) });
    return report;
  }
}

/** Lambda hands a context with getRemainingTimeInMillis; anything else is read as FC's. */
function adapterOf(context: unknown): PlatformAdapter {
  const fields = (typeof context === 'object' && context !== null ? context : {}) as { getRemainingTimeInMillis?: unknown };
  return typeof fields.getRemainingTimeInMillis === 'function' ? lambdaAdapter : fcAdapter;
}

/**
 * The handler of one event type. With a platform adapter it reads that platform's context;
 * without, it tells the platform from the context (the command line runs both kinds).
 */
export function createHandler(eventType: EventType, platform?: PlatformAdapter) {
  const log = createLogger({ handler: eventType });
  const run = async (event: unknown, context: RuntimeContext): Promise<HandlerResult> => {
    const startedAt = Date.now();
    const invocation = (platform ?? adapterOf(context)).begin(context, startedAt);
    const requestLog = log.child({ requestId: invocation.requestId });
    let decoded: Decoded;
    try {
      decoded = decodeEvents(event);
    } catch (error) {
      requestLog.error('event refused', { error, event: rawEventForLog(event) });
      throw error;
    }
    const router = await getRouter();
    // One event: refusals log what the platform handed over; a batch member, itself.
    const received = decoded.batch ? undefined : event;
    const reports = await mapBounded(decoded.events, BATCH_CONCURRENCY, (raw) =>
      runIsolated(raw, received, router, eventType, invocation.deadline, requestLog),
    );
    if (reports.some((report) => !report.ok)) {
      // What the platform retries and dead-letters is the whole batch: its digest, to match that copy.
      if (decoded.batch) requestLog.error('batch failed', { events: reports.length, event: rawEventForLog(event) });
      throw new InvocationFailedError(reports);
    }
    return decoded.batch ? reports : (reports[0] as EventReport);
  };
  return middy<unknown, HandlerResult, Error, RuntimeContext>(run).use({
    // A config error is the operator's to fix: one clear line, no stack.
    onError: (request) => {
      if (request.error instanceof RouterError) {
        log.error('invocation failed', { error: request.error });
        request.error.stack = `${request.error.name}: ${request.error.message}`;
      }
    },
  });
}

/** A Lambda handler (the event arrives as an object). */
export const lambdaHandler = (eventType: EventType) => createHandler(eventType, lambdaAdapter);
/** An FC 3.0 handler (the event arrives as a Buffer of one CloudEvent or an array). */
export const fcHandler = (eventType: EventType) => createHandler(eventType, fcAdapter);
