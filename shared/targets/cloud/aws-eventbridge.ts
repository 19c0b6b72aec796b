// aws-eventbridge: puts the alert on an Amazon EventBridge bus (PutEvents, one entry), so
// that rules can route it on to other automation. Detail is the alert JSON.
// PutEvents reports a rejected entry in FailedEntryCount instead of throwing: that entry is
// a failed delivery, retryable only for the error codes the API documents as retryable.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { defineTarget, type Outcome } from '../contract';
import { classifyError } from '../errors';
import { renderTemplate, templatesSetting } from '../template';
import { awsClientSettings, createAwsClient } from './aws-client';

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
  if (size > ENTRY_MAX_BYTES) return `the event entry is ${size} bytes, over the EventBridge PutEvents limit of ${ENTRY_MAX_BYTES}`;
  return undefined;
}

export default defineTarget({
  type: 'aws-eventbridge',
  settings,
  sdk: ['@aws-sdk/client-eventbridge'],
  permissions: {
    aws: (written) => {
      const bus = written.required('eventBusName');
      const resource = bus.startsWith('arn:') ? bus : { service: 'events', region: written.optional('region'), resource: `event-bus/${bus}` };
      return [{ action: 'events:PutEvents', resources: [resource] }];
    },
  },
  render: (alert, s) => entry(alert, s),
  async create(s) {
    const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    const client = createAwsClient(EventBridgeClient, s, s.eventBusName);
    return {
      async send(alert, ctx): Promise<Outcome> {
        const e = entry(alert, s);
        const problem = invalid(e);
        if (problem) return { outcome: 'failed', retryable: false, detail: problem };
        try {
          const out = await client.send(new PutEventsCommand({ Entries: [e] }), { abortSignal: ctx.signal });
          const result = out.Entries?.[0];
          if ((out.FailedEntryCount ?? 0) > 0 || result?.ErrorCode) {
            const code = result?.ErrorCode ?? 'unknown';
            return {
              outcome: 'failed',
              retryable: RETRYABLE_ENTRY_CODES.has(code),
              detail: `PutEvents rejected the entry: ${code}${result?.ErrorMessage ? `: ${result.ErrorMessage}` : ''}`,
            };
          }
          return { outcome: 'delivered', ...(result?.EventId ? { ref: result.EventId } : {}) };
        } catch (err) {
          return classifyError(err);
        }
      },
    };
  },
});
