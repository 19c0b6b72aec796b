// sns: publishes the alert to an Amazon SNS topic, so that every subscriber (email, SQS,
// Lambda, HTTPS, chat) gets it. The message is the alert JSON; message attributes carry
// cloud, status, severity and name for subscription filter policies; FIFO topics get a
// message group per alert lifecycle and a deduplication id per notification.
// Publish is a Query protocol call: a form-encoded POST, an XML answer (shared/aws.ts signs
// and sends it as @aws-sdk/client-sns would).
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { defineTarget, type Outcome } from '../contract';
import { classifyError, oneLine } from '../errors';
import { sha256Hex } from '../../hash';
import { describeResponse } from '../http/client';
import { renderView, templatesSetting, templateView } from '../template';
import { rfc3986 } from '../../aws';
import { awsApi, awsClientSettings, awsFailure, xmlText } from './aws-client';

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
/** SNS: a subject is ASCII, starts with a letter, digit or punctuation, "less than 100 characters". */
const SUBJECT_MAX = 99;
/**
 * SNS checks the message and its attributes together against the topic's MaximumMessageSize:
 * 256 KiB by default, up to 1 MiB where the topic allows it. Only what no topic accepts is
 * refused here; SNS itself refuses what is over a smaller topic's limit (InvalidParameter).
 */
const LARGEST_MESSAGE_BYTES = 1_048_576;
/** SNS FIFO: group ids are 1-128 characters of ASCII letters, digits and punctuation. */
const GROUP_ID = /^[\x21-\x7e]{1,128}$/;

const settings = z
  .object({
    topicArn: z.string().regex(TOPIC_ARN, 'an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts'),
    /** The subject (email subscribers see it), ASCII-folded and cut to 99 characters after rendering. */
    templates: templatesSetting({ subject: '[{{statusUpper}}] {{subjectName}}' }),
    ...awsClientSettings,
  })
  .strict();

type SnsSettings = z.infer<typeof settings>;

/** Folds text to what SNS accepts as a subject: printable ASCII, one line, at most 99 characters. */
export function snsSubject(text: string): string {
  const ascii = text
    // Decompose accented letters (Ü -> U + diaeresis) and drop the marks before folding.
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x21-\x7e]+/g, ' ')
    .replace(/ +/g, ' ')
    .trim();
  return ascii.length > SUBJECT_MAX ? `${ascii.slice(0, SUBJECT_MAX - 3).trimEnd()}...` : ascii;
}

/** The template value `subjectName`: the name folded to ASCII, or what the alert is when nothing of it is left. */
function subjectName(alert: Alert): string {
  return snsSubject(alert.name) || `${alert.severity} ${alert.provider} alert`;
}

/**
 * FIFO ids. The group is the alert's lifecycle (dedupKey), so SNS keeps firing, acknowledged
 * and resolved of one alarm in order. The deduplication id hashes dedupKey, status and the
 * notification id: a redelivery of the same notification (dispatch retry, EventBridge
 * at-least-once, a retried invocation) repeats all three and is dropped by SNS within its
 * 5-minute window; two different notifications differ in id (and usually status) and both pass.
 */
export function fifoIds(alert: Alert): { MessageGroupId: string; MessageDeduplicationId: string } {
  return {
    MessageGroupId: GROUP_ID.test(alert.dedupKey) ? alert.dedupKey : sha256Hex(alert.dedupKey),
    MessageDeduplicationId: sha256Hex(JSON.stringify([alert.dedupKey, alert.status, alert.id])),
  };
}

function publishInput(alert: Alert, s: SnsSettings) {
  const subject = snsSubject(renderView(s.templates.subject, templateView(alert, { subjectName: subjectName(alert) })));
  const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
  return {
    TopicArn: s.topicArn,
    Message: JSON.stringify(alert),
    ...(subject ? { Subject: subject } : {}),
    MessageAttributes: {
      cloud: attribute(alert.cloud),
      status: attribute(alert.status),
      severity: attribute(alert.severity),
      name: attribute(alert.name),
    },
    ...(s.topicArn.endsWith('.fifo') ? fifoIds(alert) : {}),
  };
}

/** What SNS measures against the topic's MaximumMessageSize: the message, and each attribute's name, type and value (UTF-8 bytes). */
export function messageSize(input: ReturnType<typeof publishInput>): number {
  let bytes = Buffer.byteLength(input.Message);
  for (const [name, value] of Object.entries(input.MessageAttributes)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType) + Buffer.byteLength(value.StringValue);
  return bytes;
}

/**
 * The Publish request's form, as the SDK serializes it: RFC 3986 encoding, the message
 * attributes as `MessageAttributes.entry.N` from 1, in their order.
 */
export function publishForm(input: ReturnType<typeof publishInput>): string {
  const params: [string, string][] = [
    ['Action', 'Publish'],
    ['Version', '2010-03-31'],
    ['TopicArn', input.TopicArn],
    ['Message', input.Message],
  ];
  if (input.Subject) params.push(['Subject', input.Subject]);
  Object.entries(input.MessageAttributes).forEach(([name, value], index) => {
    const entry = `MessageAttributes.entry.${index + 1}`;
    params.push([`${entry}.Name`, name], [`${entry}.Value.DataType`, value.DataType], [`${entry}.Value.StringValue`, value.StringValue]);
  });
  if (input.MessageGroupId) params.push(['MessageGroupId', input.MessageGroupId]);
  if (input.MessageDeduplicationId) params.push(['MessageDeduplicationId', input.MessageDeduplicationId]);
  return params.map(([key, value]) => `${rfc3986(key)}=${rfc3986(value)}`).join('&');
}

export default defineTarget({
  type: 'sns',
  settings,
  permissions: {
    aws: (written) => {
      const topic = written.required('topicArn', 'an SNS topic ARN');
      if (!topic.startsWith('arn:')) written.invalid('topicArn', 'required, an SNS topic ARN');
      return [{ action: 'sns:Publish', resources: [topic] }];
    },
  },
  render: (alert, s) => publishInput(alert, s),
  create(s) {
    const api = awsApi('sns', s, s.topicArn);
    return {
      async send(alert, ctx): Promise<Outcome> {
        const input = publishInput(alert, s);
        const bytes = messageSize(input);
        if (bytes > LARGEST_MESSAGE_BYTES) {
          return { outcome: 'failed', retryable: false, detail: `the alert is ${bytes} bytes of JSON and attributes, over the largest message SNS takes (${LARGEST_MESSAGE_BYTES}, on a topic whose MaximumMessageSize allows it)` };
        }
        try {
          const res = await api.send(
            { method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: publishForm(input) },
            ctx.signal,
          );
          if (res.status < 200 || res.status > 299) return awsFailure(res, 'query');
          const messageId = xmlText(res.text, 'MessageId');
          // A 2xx that is not Publish's answer (a proxy's page): the message may not be out.
          if (!messageId) return { outcome: 'failed', retryable: true, detail: oneLine(`unexpected Publish answer: ${describeResponse(res)}`) };
          return { outcome: 'delivered', ref: messageId };
        } catch (err) {
          return classifyError(err);
        }
      },
    };
  },
});
