// The loaded, validated routing configuration (router.yaml). Produced by loadConfig()
// in shared/route/config.ts; consumed by the runtime, dispatch and the command line.
import type { Alert, Severity } from '../model/alert';
import type { StateSettings } from '../state/settings';

export interface RetryPolicy {
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Retries after the first attempt, for retryable failures only. */
  retries: number;
}

export interface TargetConfig {
  /** The key under `targets:` in router.yaml. */
  name: string;
  type: string;
  /** The type's own settings, validated by its schema, secret references already resolved. */
  settings: unknown;
  policy: RetryPolicy;
}

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  /** A scalar alert field (`severity`) or a map entry (`labels.regionId`, `annotations.message`). */
  name: string;
  op: MatchOp;
  value: string;
  /** The matcher as written in router.yaml, for display. */
  text: string;
  matches(alert: Alert): boolean;
}

export interface Route {
  /** Where the node is in router.yaml: `route`, `route.routes[1]`, ... */
  path: string;
  matchers: Matcher[];
  /** Own or inherited target names. */
  targets: string[];
  continue: boolean;
  /** What to do with a CloudWatch alert inside an active mute window (inherited). */
  muted: 'skip' | 'deliver';
  /** Time interval names: the route delivers nothing while one holds (not inherited, as in Alertmanager). */
  muteTimeIntervals: string[];
  /** Time interval names: when set, the route delivers only while one holds (not inherited). */
  activeTimeIntervals: string[];
  routes: Route[];
}

/** An inclusive range of integers: weekdays (0 = Sunday), days of the month (negative: from the end), months (1..12), years. */
export type IntRange = readonly [begin: number, end: number];

/** One of Alertmanager's time intervals as plain data: every field set must hold. */
export interface TimeInterval {
  /** Minutes of the day, start inclusive, end exclusive. */
  times?: IntRange[];
  weekdays?: IntRange[];
  daysOfMonth?: IntRange[];
  months?: IntRange[];
  years?: IntRange[];
  /** IANA time zone the fields are read in; UTC when not set. */
  location?: string;
}

export interface Silence {
  /** Where it is in router.yaml: `silences[0]`. */
  path: string;
  matchers: Matcher[];
  /** Epoch milliseconds: active from startsAt (inclusive) to endsAt (exclusive). */
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

export interface SeverityRule {
  path: string;
  matchers: Matcher[];
  severity: Severity;
}

export interface RouterConfig {
  /** The file it was loaded from, for messages. */
  file: string;
  targets: Record<string, TargetConfig>;
  route: Route;
  /** Enrichment: the first matching rule sets the alert's severity. */
  severityRules: SeverityRule[];
  /** Named time intervals: a name holds when any of its intervals holds. */
  timeIntervals: Record<string, TimeInterval[]>;
  silences: Silence[];
  /** The `state:` section: the store of the delivery ledger and the alert state; none without it. */
  state?: StateSettings;
}
