// Generic HTTP webhook: POSTs the alert as JSON, either in the router's own envelope or as
// an Alertmanager webhook (version 4) payload, so existing Alertmanager receivers work
// unchanged. Optionally signs the body with HMAC-SHA256 so receivers can authenticate it.
import { hmac, sha256Hex } from '../../hash';
import { z } from 'zod';
import type { Alert, Status } from '../../model/alert';
import { defineTarget } from '../contract';
import { classifyError } from '../errors';
import type { Outcome } from '../contract';
import { httpRequest } from '../../http';
import { allowPrivateNetworkSetting, headersSchema, outcomeFromResponse, refineUrl } from './client';

const settings = z
  .object({
    url: z.string().min(1, 'is required'),
    format: z.enum(['alert', 'alertmanager']).default('alert'),
    headers: headersSchema.default({}),
    secret: z.string().min(16, 'must be at least 16 characters').optional(),
    allowInsecureHttp: z.boolean().default(false),
    allowPrivateNetwork: allowPrivateNetworkSetting,
  })
  .strict()
  .superRefine(refineUrl('url'));

const TIMESTAMP_HEADER = 'x-alert-router-timestamp';
const SIGNATURE_HEADER = 'x-alert-router-signature';
const ALERT_ID_HEADER = 'x-alert-router-alert-id';

/** Alertmanager's zero time, which its payloads use for "no end yet". */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Statuses with no Alertmanager equivalent, and why they are not sent. */
const NOT_ALERTMANAGER: Partial<Record<Status, string>> = {
  acknowledged: 'Alertmanager webhooks have no acknowledged state',
  commented: 'Alertmanager webhooks have no comments',
  'insufficient-data': 'Alertmanager webhooks have no insufficient-data state',
  'config-created': 'an alarm configuration change is not an Alertmanager alert',
  'config-updated': 'an alarm configuration change is not an Alertmanager alert',
};

type AmStatus = 'firing' | 'resolved';

interface AmAlert {
  status: AmStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface AlertmanagerPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: AmStatus;
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: AmAlert[];
}

/** config-deleted becomes resolved: a deleted alarm never fires again, receivers should close what it opened. */
function alertmanagerStatus(status: Status): AmStatus {
  return status === 'firing' ? 'firing' : 'resolved';
}

/**
 * The Alertmanager webhook v4 payload of an alert, or the reason it has none. ARMS groups
 * keep their members and fingerprints; a CloudWatch alarm is one alert whose labels gain
 * `alertname` and `severity` and whose annotations gain `summary` and `description`.
 */
export function alertmanagerPayload(alert: Alert, receiver: string): AlertmanagerPayload | { skip: string } {
  const reason = NOT_ALERTMANAGER[alert.status];
  if (reason) return { skip: `status ${alert.status} not sent: ${reason}` };
  const status = alertmanagerStatus(alert.status);
  const generatorURL = alert.links[0]?.url ?? '';
  const labels: Record<string, string> = { alertname: alert.name, severity: alert.severity, ...alert.labels };
  const annotations = nonEmpty({ summary: alert.summary, description: alert.description, ...alert.annotations });

  const alerts: AmAlert[] =
    alert.alerts.length > 0
      ? alert.alerts.map((member) => ({
          status: member.status,
          labels: member.labels,
          annotations: member.annotations,
          startsAt: member.startsAt ?? ZERO_TIME,
          endsAt: member.endsAt ?? ZERO_TIME,
          generatorURL,
          fingerprint: member.fingerprint,
        }))
      : [
          {
            status,
            labels,
            annotations,
            startsAt: alert.startsAt ?? alert.observedAt ?? ZERO_TIME,
            endsAt: alert.endsAt ?? (status === 'resolved' ? (alert.observedAt ?? ZERO_TIME) : ZERO_TIME),
            generatorURL,
            // Alertmanager fingerprints are 16 hex digits; this one is stable per alarm.
            fingerprint: sha256Hex(alert.dedupKey).slice(0, 16),
          },
        ];

  return {
    version: '4',
    groupKey: alert.dedupKey,
    truncatedAlerts: 0,
    status,
    receiver,
    groupLabels: { alertname: alert.name },
    commonLabels: labels,
    commonAnnotations: alert.alerts.length > 0 ? alert.annotations : annotations,
    externalURL: generatorURL,
    alerts,
  };
}

function nonEmpty(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter(([, value]) => value !== ''));
}

/** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, as documented in docs/targets/webhook.md. */
function signature(secret: string, timestamp: number, body: string): string {
  return `v1=${hmac('sha256', secret, `${timestamp}.${body}`, 'hex')}`;
}

/** The body this webhook posts for the alert, or why it sends nothing. */
function webhookPayload(alert: Alert, format: 'alert' | 'alertmanager', name: string): unknown {
  return format === 'alertmanager' ? alertmanagerPayload(alert, name) : { version: '1', alert };
}

export default defineTarget({
  type: 'webhook',
  settings,
  secretKeys: ['secret'],
  render: (alert, config, name = 'webhook') => webhookPayload(alert, config.format, name),
  create(config, runtime) {
    return {
      async send(alert, ctx): Promise<Outcome> {
        const payload = webhookPayload(alert, config.format, runtime.name);
        if (typeof payload === 'object' && payload !== null && 'skip' in payload) return { outcome: 'skipped', detail: String(payload.skip) };
        const body = JSON.stringify(payload);
        // Ours win over configured headers of the same name, whatever their case.
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(config.headers)) headers[name.toLowerCase()] = value;
        headers['content-type'] = 'application/json';
        headers[ALERT_ID_HEADER] = alert.id;
        if (config.secret) {
          const timestamp = Math.floor(Date.now() / 1000);
          headers[TIMESTAMP_HEADER] = String(timestamp);
          headers[SIGNATURE_HEADER] = signature(config.secret, timestamp, body);
        }
        try {
          const res = await httpRequest({ method: 'POST', url: config.url, headers, body, signal: ctx.signal, allowPrivateNetwork: config.allowPrivateNetwork });
          return outcomeFromResponse(res);
        } catch (err) {
          return classifyError(err);
        }
      },
    };
  },
});
