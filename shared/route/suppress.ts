// The suppress stage: which of the targets an alert reaches are held back at a given
// instant, and why. Silences hold back every target of the alerts they match. A route's
// mute time intervals, its active time intervals and the CloudWatch mute window (for routes
// that say `muted: skip`) hold back that route's targets; a target reached by several
// routes is held back only when every one of them holds it back, since each route
// delivers on its own (as each Alertmanager route has its own notification pipeline).
import type { Alert } from '../model/alert';
import { intervalsHolding } from './interval';
import { matchesAll } from './matcher';
import type { Route, RouterConfig, Silence } from './types';

export type HoldReason =
  | { kind: 'silenced'; silence: string; createdBy: string; comment: string; endsAt: string }
  | { kind: 'muted'; route: string; by: string }
  | { kind: 'mute-interval'; route: string; intervals: string[] }
  | { kind: 'outside-active-interval'; route: string; intervals: string[] };

export interface HeldTarget {
  target: string;
  reasons: HoldReason[];
}

/** The silences active at `at` (start inclusive, end exclusive) that match the alert. */
export function silencesMatching(alert: Alert, silences: readonly Silence[], at: Date): Silence[] {
  const now = at.getTime();
  return silences.filter((silence) => silence.startsAt <= now && now < silence.endsAt && matchesAll(silence.matchers, alert));
}

/** Why the route holds back its targets at `at`; empty when it delivers. */
export function routeHoldReasons(route: Route, alert: Alert, config: Pick<RouterConfig, 'timeIntervals'>, at: Date): HoldReason[] {
  const reasons: HoldReason[] = [];
  if (alert.muted?.active && route.muted === 'skip') reasons.push({ kind: 'muted', route: route.path, by: alert.muted.by });
  const muting = intervalsHolding(route.muteTimeIntervals, config.timeIntervals, at);
  if (muting.length > 0) reasons.push({ kind: 'mute-interval', route: route.path, intervals: muting });
  if (route.activeTimeIntervals.length > 0 && intervalsHolding(route.activeTimeIntervals, config.timeIntervals, at).length === 0) {
    reasons.push({ kind: 'outside-active-interval', route: route.path, intervals: route.activeTimeIntervals });
  }
  return reasons;
}

/**
 * The targets held back, each with every reason, in the order of `targets`. `routes` are the
 * delivering routes of the alert (tree.ts), `targets` their targets. `mustHear` names the one
 * exception to every reason: a target that was told this alert is firing hears how it ended
 * (resolve, ack, comment) whatever would hold it back now (the alert state decides, see
 * shared/state/alert-state.ts).
 */
export function heldBackTargets(
  alert: Alert,
  routes: readonly Route[],
  targets: readonly string[],
  config: Pick<RouterConfig, 'timeIntervals' | 'silences'>,
  at: Date,
  mustHear: (target: string) => boolean = () => false,
): HeldTarget[] {
  if (config.silences.length === 0 && !routes.some((route) => mayHold(route, alert))) return [];
  const silenced: HoldReason[] = silencesMatching(alert, config.silences, at).map((silence) => ({
    kind: 'silenced',
    silence: silence.path,
    createdBy: silence.createdBy,
    comment: silence.comment,
    endsAt: new Date(silence.endsAt).toISOString(),
  }));
  const byRoute = new Map(routes.map((route) => [route, routeHoldReasons(route, alert, config, at)]));
  const held: HeldTarget[] = [];
  for (const target of targets) {
    const reaching = routes.filter((route) => route.targets.includes(target));
    const everyRouteHolds = reaching.length > 0 && reaching.every((route) => (byRoute.get(route) ?? []).length > 0);
    const reasons = [...silenced, ...(everyRouteHolds ? reaching.flatMap((route) => byRoute.get(route) ?? []) : [])];
    if (reasons.length > 0 && !mustHear(target)) held.push({ target, reasons });
  }
  return held;
}

/** Whether routeHoldReasons can give the route a reason for this alert (most routes have no interval and most alerts no active mute window). */
function mayHold(route: Route, alert: Alert): boolean {
  return route.muteTimeIntervals.length > 0 || route.activeTimeIntervals.length > 0 || (route.muted === 'skip' && alert.muted?.active === true);
}

/** One line for a report or the command line: `silenced by silences[0] (ops: maintenance) until ...`. */
export function describeHoldReason(reason: HoldReason): string {
  switch (reason.kind) {
    case 'silenced':
      return `silenced by ${reason.silence} (${reason.createdBy}: ${reason.comment}) until ${reason.endsAt}`;
    case 'muted':
      return `muted by ${reason.by} (${reason.route} says muted: skip)`;
    case 'mute-interval':
      return `inside mute time interval ${reason.intervals.join(', ')} of ${reason.route}`;
    case 'outside-active-interval':
      return `outside active time interval ${reason.intervals.join(', ')} of ${reason.route}`;
  }
}
