// Test glue shared by the cloud target tests: environment for the SDKs' credential chains,
// a target created from router.yaml-like settings through its own schema, and delivery
// through the real dispatch (retries, timeouts) with no backoff jitter.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deliver } from '../../../shared/dispatch/deliver';
import type { DeliveryResult, PreparedTarget } from '../../../shared/dispatch/types';
import { createLogger } from '../../../shared/log';
import type { Alert } from '../../../shared/model/alert';
import type { RetryPolicy } from '../../../shared/route/types';
import { normalizeEvent } from '../../../shared/normalize';
import type { AlibabaCredentials, TargetType } from '../../../shared/targets/contract';
import { ROOT } from '../samples';

/** The alert the normalizer makes of a sample event, e.g. `aws/state-change-single-metric.json`. */
export function sampleAlert(file: string): Alert {
  return normalizeEvent(JSON.parse(readFileSync(join(ROOT, 'events', file), 'utf8')));
}

/** Sets environment variables for the whole file (beforeAll) and restores them (afterAll). */
export function useEnv(vars: Record<string, string>): void {
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const [key, value] of Object.entries(vars)) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
  });
  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
}

export const FAST_POLICY: RetryPolicy = { timeoutMs: 2000, retries: 2 };

export interface PrepareOptions {
  name?: string;
  policy?: RetryPolicy;
  /** What runtime.alibabaCredentials() returns (AWS targets ignore it). */
  credentials?: () => AlibabaCredentials | undefined;
}

/** Validates the settings with the type's schema (defaults applied) and creates the target. */
export async function prepare<S>(type: TargetType<S>, settings: Record<string, unknown>, options: PrepareOptions = {}): Promise<PreparedTarget> {
  const name = options.name ?? `test-${type.type}`;
  const log = createLogger({ test: type.type });
  const target = await type.create(type.settings.parse(settings), { name, log, alibabaCredentials: options.credentials ?? (() => undefined) });
  return { name, type: type.type, target, policy: options.policy ?? FAST_POLICY };
}

/** One delivery through the real dispatch, backoff reduced to nothing. */
export async function deliverOne(prepared: PreparedTarget, alert: Alert): Promise<DeliveryResult> {
  const [result] = await deliver(alert, [prepared], { log: createLogger({ test: prepared.type }), random: () => 0 });
  if (!result) throw new Error('deliver() returned no result');
  return result;
}
