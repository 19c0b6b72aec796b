// Events and configs for the state tests: variants of the real CloudWatch sample (one
// alarm, its firing and resolve at chosen times, inside a mute window or not), and a
// router.yaml whose webhook targets point at a scripted server that counts what it gets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../shared/route/config';
import type { RouterConfig } from '../../shared/route/types';
import { ROOT } from '../support/samples';

const SAMPLE = JSON.parse(readFileSync(join(ROOT, 'events/aws/state-change-single-metric.json'), 'utf8')) as CloudWatchEvent;

interface CloudWatchEvent {
  id: string;
  time: string;
  resources: string[];
  detail: {
    alarmName: string;
    state: { value: string; timestamp: string };
    previousState: { value: string; timestamp: string };
    muteDetail?: unknown;
  };
}

export interface AlarmEventOptions {
  id: string;
  state: 'ALARM' | 'OK';
  /** RFC 3339 UTC: when the state was observed. */
  at: string;
  alarm?: string;
  /** Inside an active mute window. */
  muted?: boolean;
}

/** CloudWatch's timestamp format: 2026-01-01T11:02:31.544+0000. */
const cloudwatchTime = (iso: string) => iso.replace(/Z$/, '+0000');

export function alarmEvent(options: AlarmEventOptions): CloudWatchEvent {
  const event = structuredClone(SAMPLE);
  const alarm = options.alarm ?? 'OrdersLatency';
  event.id = options.id;
  event.time = options.at.replace(/\.\d{3}Z$/, 'Z');
  event.resources = [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarm}`];
  event.detail.alarmName = alarm;
  event.detail.state = { ...event.detail.state, value: options.state, timestamp: cloudwatchTime(options.at) };
  event.detail.previousState = { ...event.detail.previousState, value: options.state === 'ALARM' ? 'OK' : 'ALARM' };
  if (options.muted) {
    const at = Date.parse(options.at);
    event.detail.muteDetail = {
      mutedByArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:maintenance',
      muteWindowStart: cloudwatchTime(new Date(at - 3600_000).toISOString()),
      muteWindowEnd: cloudwatchTime(new Date(at + 3600_000).toISOString()),
    };
  }
  return event;
}

/** A router.yaml: one webhook per name (path /NAME on `url`), all on the root route, each attempt bounded by `timeoutMs`. */
export async function webhookConfig(url: string, names: string[], state: Record<string, unknown> | undefined, extra = '', timeoutMs = 3000): Promise<RouterConfig> {
  const lines = [
    'version: 1',
    'defaults:',
    '  retries: 0',
    `  timeoutMs: ${timeoutMs}`,
    'targets:',
    ...names.flatMap((name) => [`  ${name}:`, '    type: webhook', `    url: ${url}/${name}`, '    allowInsecureHttp: true', '    allowPrivateNetwork: true']),
    'route:',
    `  targets: [${names.join(', ')}]`,
    extra,
  ];
  if (state) lines.push('state:', ...Object.entries(state).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`));
  return parseConfig(lines.join('\n'), 'router.yaml', {});
}
