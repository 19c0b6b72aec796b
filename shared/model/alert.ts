// The normalized alert, schema version 1. Field names are a public contract (DESIGN.md):
// add fields freely, rename none without bumping SCHEMA_VERSION.
// The JSON Schema published in shared/model/alert.schema.json is generated from this file
// (`npm run schema`), and a test fails when the two drift apart.
import { z } from 'zod';

export const SCHEMA_VERSION = '1';

export const STATUSES = [
  'firing',
  'resolved',
  'insufficient-data',
  'acknowledged',
  'commented',
  'config-created',
  'config-updated',
  'config-deleted',
] as const;
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export const KINDS = ['state-change', 'contributor-change', 'config-change', 'lifecycle'] as const;
export const CLOUDS = ['aws', 'alibaba'] as const;
export const PROVIDERS = ['aws.cloudwatch', 'alibaba.arms'] as const;

/** RFC 3339 UTC with millisecond precision, e.g. 2022-06-07T09:22:01.645Z. */
const timestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'RFC 3339 UTC with milliseconds')
  .nullable();
const stringMap = z.record(z.string(), z.string());

export const statusSchema = z.enum(STATUSES);
export const severitySchema = z.enum(SEVERITIES);

export const memberSchema = z
  .object({
    fingerprint: z.string(),
    status: z.enum(['firing', 'resolved']),
    labels: stringMap,
    annotations: stringMap,
    startsAt: timestamp,
    endsAt: timestamp,
  })
  .strict()
  .describe('One member of an ARMS alert group');

export const alertSchema = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    id: z.string().min(1).describe('Unique per notification: the upstream event id'),
    dedupKey: z
      .string()
      .min(1)
      .describe('Stable across the lifecycle of one alarm / one ARMS alert; never shared by two'),
    cloud: z.enum(CLOUDS),
    provider: z.enum(PROVIDERS),
    kind: z.enum(KINDS),
    status: statusSchema,
    previousStatus: statusSchema.nullable(),
    severity: severitySchema,
    sourceSeverity: z.string().nullable().describe("The source's own severity, e.g. ARMS level P2"),
    name: z.string().min(1).describe('Alarm name / alertname'),
    summary: z.string().max(1024).describe('One human line'),
    description: z.string(),
    account: z.string().nullable(),
    region: z.string().nullable(),
    resources: z.array(z.string()),
    labels: stringMap,
    annotations: stringMap,
    alerts: z.array(memberSchema),
    startsAt: timestamp,
    endsAt: timestamp,
    observedAt: timestamp,
    actor: z
      .object({
        owner: z.string().nullable(),
        handler: z.string().nullable(),
        operator: z.string().nullable(),
      })
      .strict()
      .nullable(),
    comment: z.string().nullable(),
    solution: z.string().nullable(),
    muted: z
      .object({
        by: z.string().describe('ARN of the mute rule'),
        startsAt: timestamp,
        endsAt: timestamp,
        active: z.boolean().describe('Whether observedAt falls inside the mute window'),
      })
      .strict()
      .nullable(),
    links: z.array(z.object({ title: z.string(), url: z.string() }).strict()),
    source: z
      .object({
        id: z.string(),
        type: z.string().describe('The event type: EventBridge detail-type, CloudEvents type, or the delivery path'),
        source: z.string().describe('EventBridge or CloudEvents source; aws.sns for an SNS notification'),
        bus: z.string().nullable().describe('The event bus or SNS topic it came through'),
        time: timestamp,
        timeText: z
          .string()
          .nullable()
          .optional()
          .describe('The upstream time exactly as sent (kept when it is in no format the router reads)'),
      })
      .strict(),
  })
  .strict();

export type Alert = z.infer<typeof alertSchema>;
export type AlertMember = z.infer<typeof memberSchema>;
export type Status = (typeof STATUSES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type Kind = (typeof KINDS)[number];
