// The conformance suite every target type passes (the idea of Alertmanager's notify test kit).
// A target's test file starts a fake of its service on 127.0.0.1 and calls
// describeConformance(harness). INTERFACE FIXED; implementation to be written.
import type { Outcome } from '../../shared/targets/contract';

export type ServiceMode = 'ok' | 'throttle' | 'server-error' | 'client-error' | 'hang';

export interface FakeService {
  /** The target's router.yaml settings (secrets already resolved) pointing at this server. */
  settings: Record<string, unknown>;
  /** Secret values (tokens, keys, signing secrets) that must never appear in a log line or error. */
  secrets: string[];
  /** Scripts every following response of the fake service. */
  respondWith(mode: ServiceMode): void;
  /** How many requests reached the service so far. */
  requests(): number;
  stop(): Promise<void>;
}

export interface ConformanceHarness {
  type: string;
  start(): Promise<FakeService>;
  /** Environment variables the target needs during the suite (fake cloud credentials...). */
  env?: Record<string, string>;
}

export declare function describeConformance(harness: ConformanceHarness): void;
export type { Outcome };
