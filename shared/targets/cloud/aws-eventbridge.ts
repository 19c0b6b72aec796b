// aws-eventbridge: puts the alert on an Amazon EventBridge bus (PutEvents, one entry), so
// that rules can route it on to other automation. Detail is the alert JSON.
// PutEvents reports a rejected entry in FailedEntryCount instead of throwing: that entry is
// a failed delivery, retryable only for the error codes the API documents as retryable.
// The call is JSON 1.1 (`x-amz-target: AWSEvents.PutEvents`), signed and sent by
// shared/aws.ts as @aws-sdk/client-eventbridge would.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { defineTarget, type Outcome } from '../contract';
import { classifyError, oneLine } from '../errors';
import { describeResponse } from '../http/client';
import { jsonAt, type HttpResponse } from '../../http';
import { renderTemplate, templatesSetting } from '../template';
import { awsApi, awsClientSettings, awsFailure } from './aws-client';

/** "The total entry size must be less than 256KB" (EventBridge PutEvents). */
export const ENTRY_MAX_BYTES = 262_144;
const DETAIL_TYPE_MAX = 128;
/** PutEventsResultEntry.ErrorCode values the API reference lists as retryable. */
const RETRYABLE_ENTRY_CODES = new Set(['InternalFailure', 'ThrottlingException']);

const settings = z
  .object({
    /** Bus name or ARN (an ARN reaches a bus of another account or region). */
    eventBusName: z.string().min(1).max(1600),
    source: z
      .string()
      .min(1)
      .max(256)
      .refine((value) => !value.startsWith('aws.'), 'must not start with "aws." (reserved for AWS services)')
      .default('alert-router'),
    templates: templatesSetting({ detailType: 'Alert {{status}}' }),
    ...awsClientSettings,
  })
  .strict();

type EventBridgeSettings = z.infer<typeof settings>;

function entry(alert: Alert, s: EventBridgeSettings) {
  const resources = alert.resources.filter((resource) => resource.startsWith('arn:'));
  return {
    EventBusName: s.eventBusName,
    Source: s.source,
    DetailType: renderTemplate(s.templates.detailType, alert),
    Detail: JSON.stringify(alert),
    ...(alert.observedAt ? { Time: new Date(alert.observedAt) } : {}),
    ...(resources.length > 0 ? { Resources: resources } : {}),
  };
}

/** The entry size as EventBridge computes it: Time counts 14 bytes, strings their UTF-8 bytes. */
export function entrySize(e: ReturnType<typeof entry>): number {
  const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
  return (
    (e.Time ? 14 : 0) +
    bytes(e.Source) +
    bytes(e.DetailType) +
    bytes(e.Detail) +
    (e.Resources ?? []).reduce((sum, resource) => sum + bytes(resource), 0)
  );
}

/** Why the entry cannot be sent at all, if it cannot: no retry would change it. */
function invalid(e: ReturnType<typeof entry>): string | undefined {
  if (e.DetailType.length === 0 || e.DetailType.length > DETAIL_TYPE_MAX) {
    return `the rendered detailType template is ${e.DetailType.length} characters; EventBridge takes 1 to ${DETAIL_TYPE_MAX}`;
  }
  const size = entrySize(e);
  // "Must be less than 256KB": an entry of exactly 262,144 bytes is refused too.
  if (size >= ENTRY_MAX_BYTES) return `the event entry is ${size} bytes; EventBridge PutEvents takes less than ${ENTRY_MAX_BYTES}`;
  return undefined;
}

export default defineTarget({
  type: 'aws-eventbridge',
  settings,
  permissions: {
    aws: (written) => {
      const bus = written.required('eventBusName');
      const resource = bus.startsWith('arn:') ? bus : { service: 'events', region: written.optional('region'), resource: `event-bus/${bus}` };
      return [{ action: 'events:PutEvents', resources: [resource] }];
    },
  },
  render: (alert, s) => entry(alert, s),
  create(s) {
    const api = awsApi('events', s, s.eventBusName);
    return {
      async send(alert, ctx): Promise<Outcome> {
        const e = entry(alert, s);
        const problem = invalid(e);
        if (problem) return { outcome: 'failed', retryable: false, detail: problem };
        try {
          // JSON 1.1 sends a timestamp as epoch seconds.
          const body = JSON.stringify({ Entries: [{ ...e, ...(e.Time ? { Time: e.Time.getTime() / 1000 } : {}) }] });
          const res = await api.send(
            { method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' }, body },
            ctx.signal,
          );
          return putEventsOutcome(res);
        } catch (err) {
          return classifyError(err);
        }
      },
    };
  },
});

/** The outcome of PutEvents' answer, whose rejected entry comes in a 200 (FailedEntryCount). */
function putEventsOutcome(res: HttpResponse): Outcome {
  if (res.status < 200 || res.status > 299) return awsFailure(res, 'json');
  let reply: unknown;
  try {
    reply = JSON.parse(res.text);
  } catch {
    reply = undefined;
  }
  const result = jsonAt(reply, 'Entries');
  const first: unknown = Array.isArray(result) ? result[0] : undefined;
  if (first === undefined) {
    // A 2xx that is not PutEvents' answer (a proxy's page, a cut-off body): the event may not be on the bus.
    return { outcome: 'failed', retryable: true, detail: oneLine(`unexpected PutEvents answer: ${describeResponse(res)}`) };
  }
  const text = (key: string) => {
    const value = jsonAt(first, key);
    return typeof value === 'string' && value ? value : undefined;
  };
  const failed = jsonAt(reply, 'FailedEntryCount');
  const code = text('ErrorCode');
  if ((typeof failed === 'number' && failed > 0) || code) {
    const message = text('ErrorMessage');
    return {
      outcome: 'failed',
      retryable: RETRYABLE_ENTRY_CODES.has(code ?? ''),
      detail: oneLine(`PutEvents rejected the entry: ${code ?? 'unknown'}${message ? `: ${message}` : ''}`),
    };
  }
  const eventId = text('EventId');
  return { outcome: 'delivered', ...(eventId ? { ref: eventId } : {}) };
}
