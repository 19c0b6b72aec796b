// The pipeline of one raw event: unwrap + normalize -> enrich -> route -> dispatch -> report.
// Bad input never throws out of here: it becomes a refused report carrying the error and
// the raw event, so one bad event of a batch does not hide the others.
import type { Alert } from '../model/alert';
import { RouterError } from '../model/errors';
import { normalizeEvent, type EventType } from '../normalize';
import { applySeverityRules } from '../route/severity';
import { describeHoldReason, heldBackTargets, type HeldTarget } from '../route/suppress';
import { routeTargets } from '../route/tree';
import type { Route, RouterConfig } from '../route/types';
import { deliver, buildReport, type DeliveryReport, type DeliveryResult } from '../dispatch';
import type { Logger } from '../log';
import type { Router } from './router';
import { rawEventForLog } from './raw-log';
import { checkEventShape } from '../normalize/shape';

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

/** enrich + route + suppress at `at`: the alert as routed, and where it goes. Nothing is sent. */
export function planAlert(alert: Alert, config: RouterConfig, at: Date = new Date()): Plan {
  const enriched = applySeverityRules(alert, config.severityRules);
  const { targets, routes } = routeTargets(config.route, enriched);
  return { alert: enriched, routes, targets, held: heldBackTargets(enriched, routes, targets, config, at) };
}

/**
 * decode's per-delivery check, unwrap and normalize: the alert of one raw delivery, or a
 * RouterError naming the problem. Nothing else is thrown, whatever the input (the fuzz test
 * in test/runtime holds it to that).
 */
export function intakeAlert(raw: unknown, expectedType?: EventType): Alert {
  checkEventShape(raw);
  return normalizeEvent(raw, expectedType);
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
    log.error('event refused', { report, event: rawEventForLog(raw) });
    return report;
  }
  const plan = planAlert(alert, router.config);
  const active = plan.targets.filter((name) => !plan.held.some((held) => held.target === name));
  const delivered = await deliver(plan.alert, router.targets(active), { deadline: options.deadline, log });
  const skipped: DeliveryResult[] = plan.held.map(({ target, reasons }) => ({
    target,
    type: router.config.targets[target]?.type ?? 'unknown',
    outcome: 'skipped',
    attempts: 0,
    latencyMs: 0,
    detail: reasons.map(describeHoldReason).join('; '),
  }));
  const report = buildReport(plan.alert, plan.routes, [...delivered, ...skipped]);
  log.info('delivery report', { report });
  return report;
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
