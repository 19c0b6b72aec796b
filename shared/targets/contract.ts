// The contract every target type implements. A target performs one action for one alert
// and says what happened; it never retries by itself: shared/dispatch decides from
// `retryable` (as Alertmanager's notifiers return `recoverable`).
import type { z } from 'zod';
import type { Alert } from '../model/alert';
import type { Logger } from '../log';
import type { CloudPermissions } from '../permissions';

export type Outcome =
  | { outcome: 'delivered'; detail?: string; /** id of what was created or updated upstream */ ref?: string }
  | { outcome: 'skipped'; detail: string }
  | {
      outcome: 'failed';
      retryable: boolean;
      detail: string;
      /** Server-requested delay before the next attempt (Retry-After). */
      retryAfterMs?: number;
    };

/** Alibaba Cloud credentials: FC 3.0 temporary ones, or the ALIBABA_CLOUD_* variables. */
export interface AlibabaCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** What a target gets once, when it is created at cold start. */
export interface TargetRuntime {
  /** Name of the target in router.yaml. */
  name: string;
  log: Logger;
  /**
   * Current Alibaba credentials, read at send time (FC refreshes them per invocation).
   * The AWS targets read theirs themselves (shared/aws.ts).
   */
  alibabaCredentials(): AlibabaCredentials | undefined;
}

/** What a target gets on each attempt. */
export interface AttemptContext {
  /** Aborted when the attempt's timeout (or the function's remaining time) runs out. */
  signal: AbortSignal;
  /** 1 for the first attempt. */
  attempt: number;
  log: Logger;
  /**
   * The reference this target returned for the same alert (dedupKey) before, from the
   * alert state (ticket key, incident id, chat message ts): update it instead of searching.
   * Absent without a state store, or when the target never returned one.
   */
  ref?: string;
}

export interface Target {
  /**
   * Performs the action. Every failure is returned as a failed Outcome (classifyError for
   * what the target catches), never thrown: that is the one way a target says it failed.
   */
  send(alert: Alert, ctx: AttemptContext): Promise<Outcome>;
}

/**
 * One module per target type under shared/targets/, registered in registry.ts.
 * `settings` validates the target's own keys in router.yaml (the common keys `type`,
 * `timeoutMs` and `retries` are removed first). `create` runs once per cold start and
 * is the only place that may import an SDK, with a dynamic import().
 */
export interface TargetType<S = unknown> {
  type: string;
  settings: z.ZodType<S>;
  /** Setting keys whose values are secrets: they must be ${env:...} references, never literals. */
  secretKeys?: readonly string[];
  /**
   * npm packages that create() imports (its SDK). The build keeps them out of a function's
   * bundle unless its router.yaml uses this type.
   */
  sdk?: readonly string[];
  /** Cloud permissions the target needs; required of every type with an `sdk` or under cloud/. */
  permissions?: CloudPermissions;
  create(settings: S, runtime: TargetRuntime): Target | Promise<Target>;
  /**
   * The payload this target would send for the alert (rendered from its templates), without
   * sending it: `router template render TARGET FILE` prints it. `name` is the target's key
   * in router.yaml, for payloads that carry it.
   */
  render?(alert: Alert, settings: S, name?: string): unknown;
}

/** Helper so a target module is typed by its settings schema. */
export function defineTarget<Schema extends z.ZodType>(
  def: TargetType<z.infer<Schema>> & { settings: Schema },
): TargetType<z.infer<Schema>> {
  return def;
}
