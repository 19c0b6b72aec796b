// The suppress stage, loaded from YAML as a user writes it: silences, mute and active time
// intervals (not inherited, as in Alertmanager), the CloudWatch mute window, and a target
// reached by several routes held back only when each of them holds it back.
import { normalizeEvent } from '../../shared/normalize';
import type { Alert } from '../../shared/model/alert';
import { compileConfig, parseConfig } from '../../shared/route/config';
import { describeHoldReason, heldBackTargets } from '../../shared/route/suppress';
import { routeTargets } from '../../shared/route/tree';
import type { RouterConfig } from '../../shared/route/types';
import { eventsOf, samples } from '../support/samples';

const first = (folder: string, file: string): Alert =>
  normalizeEvent(eventsOf(samples(folder).find((s) => s.file.endsWith(file))!)[0]);
const aws = first('aws', 'state-change-single-metric.json');
const arms = first('alibaba', 'arms-alarm-create.json');

const CONFIG = `
version: 1
targets:
  default: { type: console }
  db: { type: console }
  pager: { type: console }
  chat: { type: console }
timeIntervals:
  business-hours:
    - times: [{ startTime: '09:00', endTime: '17:00' }]
      weekdays: ['monday:friday']
      location: Asia/Shanghai
  weekends:
    - weekdays: [saturday, sunday]
route:
  targets: [default]
  routes:
    - matchers: ['labels.team="db"']
      targets: [db]
      muteTimeIntervals: [weekends]
      routes:
        # Not muted on weekends: intervals are not inherited.
        - matchers: ['severity="critical"']
          targets: [pager]
          continue: true
        - matchers: ['severity=~"critical|error"']
          targets: [chat]
          activeTimeIntervals: [business-hours]
    - matchers: ['cloud="aws"']
      targets: [chat]
      continue: true
    - matchers: ['cloud="aws"']
      targets: [chat, default]
      muteTimeIntervals: [weekends]
silences:
  - matchers: ['labels.service="billing"']
    startsAt: 2026-12-01T00:00:00Z
    endsAt: 2026-12-02T00:00:00Z
    createdBy: ops
    comment: billing migration
`;

let config: RouterConfig;
beforeAll(async () => {
  config = await parseConfig(CONFIG, 'router.yaml', {});
});

function held(alert: Alert, iso: string) {
  const { routes, targets } = routeTargets(config.route, alert);
  return { targets, held: Object.fromEntries(heldBackTargets(alert, routes, targets, config, new Date(iso)).map((h) => [h.target, h.reasons.map(describeHoldReason)])) };
}

const db = (severity: Alert['severity'], labels: Record<string, string> = {}) => ({ ...arms, severity, labels: { ...labels, team: 'db' }, muted: null });
const TUESDAY_NOON_SHANGHAI = '2026-12-01T04:00:00Z';
const TUESDAY_NIGHT_SHANGHAI = '2026-12-01T15:00:00Z';
const SATURDAY = '2026-12-05T04:00:00Z';

describe('time intervals', () => {
  it('delivers everything inside the active interval and outside the mute interval', () => {
    expect(held(db('critical'), TUESDAY_NOON_SHANGHAI)).toEqual({ targets: ['pager', 'chat'], held: {} });
  });

  it('holds back the targets of a route outside its active interval, with why', () => {
    expect(held(db('critical'), TUESDAY_NIGHT_SHANGHAI)).toEqual({
      targets: ['pager', 'chat'],
      held: { chat: ['outside active time interval business-hours of route.routes[0].routes[1]'] },
    });
  });

  it('does not inherit a mute interval: the parent is muted on weekends, its children are not', () => {
    // A warning reaches no child: the parent delivers, and its own mute interval holds.
    expect(held(db('warning'), SATURDAY)).toEqual({
      targets: ['db'],
      held: { db: ['inside mute time interval weekends of route.routes[0]'] },
    });
    expect(held(db('critical'), SATURDAY).held.pager).toBeUndefined();
  });

  it('holds back a target reached by two routes only when both hold it back', () => {
    const alert = { ...aws, labels: {}, muted: null };
    // chat comes from route.routes[1] (always) and route.routes[2] (muted on weekends).
    expect(held(alert, SATURDAY)).toEqual({ targets: ['chat', 'default'], held: { default: ['inside mute time interval weekends of route.routes[2]'] } });
  });
});

describe('silences', () => {
  const billing = { ...aws, labels: { service: 'billing' }, muted: null };

  it('hold back every target of a matching alert while active, start inclusive and end exclusive', () => {
    const reason = 'silenced by silences[0] (ops: billing migration) until 2026-12-02T00:00:00.000Z';
    expect(held(billing, '2026-12-01T00:00:00Z').held).toEqual({ chat: [reason], default: [reason] });
    expect(held(billing, '2026-11-30T23:59:59Z').held).toEqual({});
    expect(held(billing, '2026-12-02T00:00:00Z').held).toEqual({});
  });

  it('leave other alerts alone', () => {
    expect(held({ ...billing, labels: { service: 'shop' } }, '2026-12-01T12:00:00Z').held).toEqual({});
  });
});

describe('the CloudWatch mute window', () => {
  it('holds back the targets of routes that say muted: skip', () => {
    const muted = { ...aws, labels: {}, muted: { by: 'arn:aws:cloudwatch:us-east-1:1:alarm-mute-rule:x', startsAt: null, endsAt: null, active: true } } as Alert;
    const { held: reasons } = held(muted, TUESDAY_NOON_SHANGHAI);
    expect(Object.keys(reasons)).toEqual(['chat', 'default']);
    expect(reasons.chat).toEqual([
      'muted by arn:aws:cloudwatch:us-east-1:1:alarm-mute-rule:x (route.routes[1] says muted: skip)',
      'muted by arn:aws:cloudwatch:us-east-1:1:alarm-mute-rule:x (route.routes[2] says muted: skip)',
    ]);
  });
});

describe('loading', () => {
  const problems = async (yaml: string) =>
    (await compileConfig(yaml, 'router.yaml', { env: {} })).problems.map((p) => `${p.line}: ${p.path}: ${p.message}`);

  it('reports every problem of intervals and silences at once, each with its line', async () => {
    const yaml = `version: 1
targets:
  out: { type: console }
timeIntervals:
  nights:
    - times: [{ startTime: '22:00', endTime: '06:00' }]
      location: Mars/Base
route:
  targets: [out]
  routes:
    - matchers: ['severity="critical"']
      muteTimeIntervals: [night]
silences:
  - matchers: ['labels.team=~".*"']
    startsAt: 2026-12-02T00:00:00Z
    endsAt: yesterday
    createdBy: ops
    comment: x
`;
    expect(await problems(yaml)).toEqual([
      '6: timeIntervals.nights[0].times[0]: startTime 22:00 must be before endTime 06:00',
      '12: route.routes[0].muteTimeIntervals[0]: unknown time interval "night"; defined time intervals: nights',
      '16: silences[0].endsAt: "yesterday" is not an RFC 3339 time with a zone, e.g. 2026-12-01T22:00:00Z',
      '14: silences[0].matchers: a silence needs at least one matcher that does not match an empty value (as in Alertmanager): this one would silence every alert',
    ]);
  });

  it('refuses time intervals on the root route, as Alertmanager does', async () => {
    const yaml = 'version: 1\ntargets:\n  out: { type: console }\ntimeIntervals:\n  w: [{ weekdays: [sunday] }]\nroute:\n  targets: [out]\n  muteTimeIntervals: [w]\n';
    expect(await problems(yaml)).toEqual([
      '8: route.muteTimeIntervals: the root route cannot be muted by time intervals (as in Alertmanager); put them on a child route',
    ]);
  });
});
