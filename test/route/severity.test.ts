// Enrichment: the first matching severity rule sets the alert's severity, over real
// normalized CloudWatch and ARMS events.
import { normalizeEvent } from '../../shared/normalize';
import type { Alert } from '../../shared/model/alert';
import { parseConfig } from '../../shared/route/config';
import { applySeverityRules } from '../../shared/route/severity';
import type { SeverityRule } from '../../shared/route/types';
import { eventsOf, samples } from '../support/samples';

const first = (folder: string, file: string): Alert =>
  normalizeEvent(eventsOf(samples(folder).find((s) => s.file.endsWith(file))!)[0]);
const firing = first('aws', 'state-change-single-metric.json');
const resolved = first('aws', 'state-change-single-metric-resolved.json');
const arms = first('alibaba', 'arms-alarm-create.json');

let rules: SeverityRule[];
beforeAll(async () => {
  const text = `version: 1
severity:
  - matchers: ['provider="aws.cloudwatch"', 'name=~"ServerCpu.*"']
    severity: critical
  - matchers: ['provider="aws.cloudwatch"', 'labels.InstanceId=~"i-.*"']
    severity: warning
  - matchers: ['sourceSeverity="P2"']
    severity: info
targets: { out: { type: console } }
route: { targets: [out] }
`;
  rules = (await parseConfig(text, 'router.yaml', {})).severityRules;
});

it('takes the severity of the first matching rule, not of later ones', () => {
  expect(firing.name).toBe('ServerCpuTooHigh');
  expect(firing.labels.InstanceId).toMatch(/^i-/);
  expect(applySeverityRules(firing, rules).severity).toBe('critical');
});

it('gives the resolve event of an alarm the severity of its firing event', () => {
  expect(resolved.status).toBe('resolved');
  expect(applySeverityRules(resolved, rules).severity).toBe(applySeverityRules(firing, rules).severity);
});

it('falls through to a later rule when the earlier ones do not match', () => {
  const other = { ...firing, name: 'DiskQueueDepth' };
  expect(applySeverityRules(other, rules).severity).toBe('warning');
  expect(applySeverityRules(arms, rules).severity).toBe('info');
});

it('returns the same alert, untouched, when no rule matches', () => {
  const unmatched = { ...arms, sourceSeverity: 'P3' };
  expect(applySeverityRules(unmatched, rules)).toBe(unmatched);
  expect(applySeverityRules(firing, [])).toBe(firing);
});

it('never modifies the alert it is given', () => {
  const before = structuredClone(firing);
  const enriched = applySeverityRules(firing, rules);
  expect(firing).toEqual(before);
  expect(enriched).not.toBe(firing);
  expect({ ...enriched, severity: before.severity }).toEqual(before);
});
