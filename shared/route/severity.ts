// Enrichment by severity rules from router.yaml: sources without a severity of their own
// (CloudWatch alarms carry none) get one from the alarm's name, labels or provider.
import type { Alert } from '../model/alert';
import { matchesAll } from './matcher';
import type { SeverityRule } from './types';

/**
 * The alert with the severity of the first rule whose matchers all match; the same alert
 * object when no rule matches. Pure: the input alert is never modified.
 */
export function applySeverityRules(alert: Alert, rules: readonly SeverityRule[]): Alert {
  const rule = rules.find((candidate) => matchesAll(candidate.matchers, alert));
  return rule ? { ...alert, severity: rule.severity } : alert;
}
