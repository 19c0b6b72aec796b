// Entry glue shared by every handler in functions/: decode the runtime's event, run each
// raw event through the pipeline, log and return the reports. The invocation fails when
// an event was refused or a delivery failed, so that the platform's retries and its
// on-failure destination / dead-letter queue act on it (see docs/runtime.md).
import middy from '@middy/core';
import type { Context as LambdaContext } from 'aws-lambda';
import type { EventType } from '../normalize';
import { RouterError } from '../model/errors';
import { createLogger } from '../log';
import { decodeEvents, type Decoded } from './decode';
import { useInvocationCredentials } from './credentials';
import { getRouter } from './router';
import { isRefused, processEvent, type EventReport } from './pipeline';

/** The FC 3.0 context, as far as we read it. */
export interface FcContext {
  requestId?: string;
  credentials?: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
  function?: { name?: string; timeout?: number };
}

/** Lambda and FC contexts both reach the same handler; middy's types want a Lambda one. */
export type RuntimeContext = LambdaContext & FcContext;

/** What a handler returns: one report for one event, an array for an FC batch. */
export type HandlerResult = EventReport | EventReport[];

/** Thrown after the reports are logged, when any event was refused or any delivery failed. */
export class InvocationFailedError extends Error {
  constructor(readonly reports: EventReport[]) {
    super(summarize(reports));
    this.name = 'InvocationFailedError';
    // The reports are in the logs; a stack trace would only hide them.
    this.stack = `${this.name}: ${this.message}`;
  }
}

function summarize(reports: EventReport[]): string {
  const problems = reports.flatMap((report) =>
    isRefused(report)
      ? [`event ${report.eventId ?? '(no id)'} refused: ${report.error.message}`]
      : report.deliveries
          .filter((d) => d.outcome === 'failed')
          .map((d) => `${d.target} failed after ${d.attempts} attempt(s): ${d.detail ?? ''}`.trim()),
  );
  return problems.join('; ');
}

/** Epoch ms by which the invocation must be over, from whichever runtime is calling. */
function deadlineOf(context: Partial<RuntimeContext>, startedAt: number): number | undefined {
  if (typeof context.getRemainingTimeInMillis === 'function') return startedAt + context.getRemainingTimeInMillis();
  const timeout = context.function?.timeout;
  return typeof timeout === 'number' && timeout > 0 ? startedAt + timeout * 1000 : undefined;
}

export function createHandler(eventType: EventType) {
  const log = createLogger({ handler: eventType });
  const run = async (event: unknown, context: RuntimeContext): Promise<HandlerResult> => {
    const startedAt = Date.now();
    useInvocationCredentials(context?.credentials);
    const requestLog = log.child({ requestId: context?.awsRequestId ?? context?.requestId });
    let decoded: Decoded;
    try {
      decoded = decodeEvents(event);
    } catch (error) {
      requestLog.error('event refused', { error, event: String(event) });
      throw error;
    }
    const router = await getRouter();
    const deadline = deadlineOf(context ?? {}, startedAt);
    const reports: EventReport[] = [];
    // Events of a batch go one after the other: their deliveries run in parallel already,
    // and a batch shares one deadline.
    for (const raw of decoded.events) {
      reports.push(await processEvent(raw, { router, expectedType: eventType, deadline, log: requestLog }));
    }
    if (reports.some((report) => !report.ok)) throw new InvocationFailedError(reports);
    return decoded.batch ? reports : reports[0]!;
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
export const lambdaHandler = createHandler;
/** An FC 3.0 handler (the event arrives as a Buffer of one CloudEvent or an array). */
export const fcHandler = createHandler;
