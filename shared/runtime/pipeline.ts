// The pipeline of one raw event: unwrap + normalize -> enrich -> (read state) -> route ->
// dispatch (through the ledger) -> record state -> report.
// Bad input never throws out of here: it becomes a refused report carrying the error and
// the raw event, so one bad event of a batch does not hide the others.
import type { Alert } from '../model/alert';
import { RouterError } from '../model/errors';
import { intakeAlert, type EventType } from '../normalize';
import { applySeverityRules } from '../route/severity';
import { describeHoldReason, heldBackTargets, type HeldTarget } from '../route/suppress';
import { routedTargetNames, routeTargets } from '../route/tree';
import type { Route, RouterConfig } from '../route/types';
import { deliver, buildReport, type DeliveryReport, type DeliveryResult, type StateNote } from '../dispatch';
import { mustHear, staleness, type AlertState } from '../state';
import { oneLine } from '../targets/errors';
import type { Logger } from '../log';
import type { Router } from './router';
import { rawEventForLog } from './raw-log';

/** An event that could not become an alert. */
export interface RefusedReport {
  ok: false;
  eventId: string | null;
  eventType: string | null;
  error: { code: string; message: string };
}

export type EventReport = DeliveryReport | RefusedReport;

export function isRefused(report: EventReport): report is RefusedReport {
  return 'error' in report;
}

export interface ProcessOptions {
  router: Router;
  /** The event type the handler is bound to; other types are refused. */
  expectedType?: EventType;
  /** Epoch ms by which every delivery must be over (the function's remaining time). */
  deadline?: number;
  log: Logger;
  /**
   * What the platform handed the function, when it is this one event: an FC Buffer is logged
   * as the bytes it was (the copy FC dead-letters has that sha256), not as parsed and written again.
   */
  received?: unknown;
}

export interface Plan {
  /** The alert after enrichment. */
  alert: Alert;
  /** The route nodes that took it. */
  routes: Route[];
  /** Every target those routes name, in order. */
  targets: string[];
  /** The subset of `targets` held back (mute window, silences, time intervals), each with why. */
  held: HeldTarget[];
}

/**
 * enrich + route + suppress at `at`: the alert as routed, and where it goes. Nothing is sent.
 * `state` is the alert's stored state, when a store is configured: a target it says was
 * told the alert is firing hears how it ended (resolve, ack, comment), never held back, and
 * even where the ending's own routes do not reach it (a route that matches on the status or
 * the summary took the firing and not the resolve).
 */
export function planAlert(alert: Alert, config: RouterConfig, at: Date = new Date(), state?: AlertState): Plan {
  const enriched = applySeverityRules(alert, config.severityRules);
  const routed = routeTargets(config.route, enriched);
  const mustHearIt = (target: string) => mustHear(state, target, enriched);
  const told = state ? Object.keys(state.targets).filter((target) => !routed.targets.includes(target) && mustHearIt(target)) : [];
  // Only a target some route still names is prepared: one the config has dropped since is not told.
  const targets = told.length === 0 ? routed.targets : [...routed.targets, ...told.filter((target) => routedTargetNames(config.route).has(target))];
  return { alert: enriched, routes: routed.routes, targets, held: heldBackTargets(enriched, routed.routes, targets, config, at, mustHearIt) };
}

export async function processEvent(raw: unknown, options: ProcessOptions): Promise<EventReport> {
  const { router, log } = options;
  let alert: Alert;
  try {
    alert = intakeAlert(raw, options.expectedType);
  } catch (error) {
    if (!(error instanceof RouterError)) throw error;
    const report = refused(raw, error);
    // The raw event stays recoverable: it is in this line, and the invocation fails so
    // that the platform dead-letters it.
    log.error('event refused', { report, event: rawEventForLog(options.received ?? raw) });
    return report;
  }
  // Without a store there is nothing to wait for (an await costs a turn of the microtask queue).
  const known = router.state || router.stateProblem ? await readAlertState(router, alert, log) : NO_STORE;
  const plan = planAlert(alert, router.config, new Date(), known.state);
  const typeOf = (name: string) => router.config.targets[name]?.type ?? 'unknown';

  const stale = staleness(known.state, plan.alert);
  // A stale event needs a known alert state, which only a read store gives (so a note too).
  if (stale && known.note) {
    const skipped = plan.targets.map(
      (name): DeliveryResult => ({
        target: name,
        type: typeOf(name),
        outcome: 'skipped',
        attempts: 0,
        latencyMs: 0,
        detail: `stale: older than ${stale.lastEventId} (${stale.lastEventAt}), the last event applied to this alert`,
        reason: 'stale',
      }),
    );
    const report = buildReport(plan.alert, plan.routes, skipped, { ...known.note, stale });
    log.info('delivery report', { report });
    return report;
  }

  // Most alerts have nothing held back: no filtering, no second list to append.
  const active = plan.held.length === 0 ? plan.targets : plan.targets.filter((name) => !plan.held.some((held) => held.target === name));
  const delivered = await deliver(plan.alert, router.targets(active), {
    deadline: options.deadline,
    log,
    ledger: known.note?.ledger === 'used' && router.state ? router.state.ledger : undefined,
    refs: known.state ? storedRefs(known.state) : undefined,
  });
  const skipped: DeliveryResult[] = plan.held.map(({ target, reasons }) => ({
    target,
    type: typeOf(target),
    outcome: 'skipped',
    attempts: 0,
    latencyMs: 0,
    detail: reasons.map(describeHoldReason).join('; '),
    reason: 'held-back',
  }));
  const deliveries = skipped.length === 0 ? delivered : [...delivered, ...skipped];
  const note = known.note && (await recordAlertState(router, plan.alert, deliveries, known.note, log));
  const report = buildReport(plan.alert, plan.routes, deliveries, note);
  log.info('delivery report', { report });
  return report;
}

interface KnownState {
  state?: AlertState;
  /** Undefined when no store is configured. */
  note?: StateNote;
}

const NO_STORE: KnownState = Object.freeze({});

/**
 * The alert's stored state, bounded by the store's timeout. A store that fails here is not
 * asked again for this event (no ledger either): its deliveries go ahead at least once.
 */
async function readAlertState(router: Router, alert: Alert, log: Logger): Promise<KnownState> {
  if (router.stateProblem) return { note: { store: router.config.state?.store ?? 'unknown', ledger: 'unavailable', recorded: false, detail: router.stateProblem } };
  if (!router.state) return {};
  const note: StateNote = { store: router.state.kind, ledger: 'used', recorded: false };
  try {
    return { state: await router.state.alerts.read(alert.dedupKey), note };
  } catch (err) {
    const detail = oneLine(errorText(err), 300);
    log.warn('state store unavailable: delivering without it', { detail });
    return { note: { ...note, ledger: 'unavailable', detail } };
  }
}

async function recordAlertState(router: Router, alert: Alert, deliveries: DeliveryResult[], note: StateNote, log: Logger): Promise<StateNote> {
  const ledger = deliveries.some((d) => d.ledger === 'unavailable') ? 'unavailable' : note.ledger;
  if (!router.state || note.ledger === 'unavailable') return { ...note, ledger };
  try {
    await router.state.alerts.record(
      alert,
      deliveries.map((d) => ({
        target: d.target,
        outcome: d.outcome,
        ...(d.ref ? { ref: d.ref } : {}),
        ...(d.earlier ? { earlier: d.earlier } : {}),
      })),
    );
    return { ...note, ledger, recorded: true };
  } catch (err) {
    const detail = oneLine(errorText(err), 300);
    log.warn('alert state not recorded', { detail });
    return { ...note, ledger, recorded: false, detail };
  }
}

function storedRefs(state: AlertState): Record<string, string> {
  const refs: Record<string, string> = {};
  for (const [target, told] of Object.entries(state.targets)) if (told.ref) refs[target] = told.ref;
  return refs;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function refusedReport(raw: unknown, error: { code: string; message: string }): RefusedReport {
  const event = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const str = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    ok: false,
    eventId: str(event.id),
    eventType: str(event['detail-type']) ?? str(event.type),
    error,
  };
}

function refused(raw: unknown, error: RouterError): RefusedReport {
  return refusedReport(raw, { code: error.code, message: error.message });
}

/** The report of an event the pipeline crashed on (a bug, not bad input): refused all the same. */
export function crashed(raw: unknown, error: unknown): RefusedReport {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return refusedReport(raw, { code: 'INTERNAL_ERROR', message: `the router failed on this event: ${message}` });
}
