// `invoke`: runs each event file through the handler its runtime would run, in that
// runtime's shape: CloudWatch events as an object with a Lambda context, ARMS events as a
// Buffer with an FC 3.0 context (credentials from the ALIBABA_CLOUD_* variables).
import { randomUUID } from 'node:crypto';
import { EVENT_TYPES, eventTypeOf, isEventType, type EventType } from '../normalize';
import { RouterError, ConfigError, UnsupportedEventError } from '../model/errors';
import { createHandler, InvocationFailedError, type HandlerResult, type RuntimeContext } from '../runtime/handler';
import type { EventReport } from '../runtime/pipeline';
import { readEventFile } from './events';

export interface FileResult {
  file: string;
  eventType: string | null;
  reports: EventReport[];
}

const handlers = new Map<EventType, ReturnType<typeof createHandler>>();

function handlerFor(type: EventType) {
  let handler = handlers.get(type);
  if (!handler) handlers.set(type, (handler = createHandler(type)));
  return handler;
}

function lambdaContext(type: EventType, timeoutMs: number): RuntimeContext {
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId: randomUUID(),
    functionName: type,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  } as unknown as RuntimeContext;
}

function fcContext(type: EventType, timeoutMs: number): RuntimeContext {
  const env = process.env;
  return {
    requestId: randomUUID(),
    function: { name: type, timeout: timeoutMs / 1000 },
    credentials: env.ALIBABA_CLOUD_ACCESS_KEY_ID
      ? {
          accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID,
          accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
          securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN,
        }
      : undefined,
  } as unknown as RuntimeContext;
}

/** Runs one file. Config errors propagate (they stop the whole run); bad events are reports. */
export async function invokeFile(file: string, timeoutMs: number): Promise<FileResult> {
  const value = await readEventFile(file);
  const first: unknown = Array.isArray(value) ? value[0] : value;
  let type: string;
  try {
    type = eventTypeOf(first);
    if (!isEventType(type)) throw new UnsupportedEventError(type, Object.keys(EVENT_TYPES).join(' | '));
  } catch (error) {
    if (!(error instanceof RouterError)) throw error;
    const id = typeof first === 'object' && first !== null ? (first as { id?: unknown }).id : undefined;
    return {
      file,
      eventType: null,
      reports: [{ ok: false, eventId: typeof id === 'string' ? id : null, eventType: null, error: { code: error.code, message: error.message } }],
    };
  }
  const aws = EVENT_TYPES[type].cloud === 'aws';
  const event = aws ? value : Buffer.from(JSON.stringify(value));
  const context = aws ? lambdaContext(type, timeoutMs) : fcContext(type, timeoutMs);
  let result: HandlerResult;
  try {
    result = await handlerFor(type)(event, context);
  } catch (error) {
    if (error instanceof InvocationFailedError) return { file, eventType: type, reports: error.reports };
    if (error instanceof ConfigError || !(error instanceof RouterError)) throw error;
    // The whole payload was refused before any event was read (an empty batch).
    return { file, eventType: type, reports: [{ ok: false, eventId: null, eventType: type, error: { code: error.code, message: error.message } }] };
  }
  return { file, eventType: type, reports: Array.isArray(result) ? result : [result] };
}
