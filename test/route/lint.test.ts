// check-config's engine: every error and warning of a file at once, each with its line;
// the traps that load but cannot do what their author meant; secrets need not be set.
import { checkConfig } from '../../shared/route/lint';

const NOW = new Date('2026-12-03T00:00:00Z');
const found = async (yaml: string, env: Record<string, string> = {}) =>
  (await checkConfig(yaml, 'router.yaml', { env, now: NOW })).problems.map((p) => `${p.line} ${p.level} ${p.path}: ${p.message}`);

const HEAD = `version: 1
targets:
  default: { type: console }
  pager: { type: console }
`;

describe('warnings', () => {
  it('finds a route after a catch-all, and one after a sibling that takes all it matches', async () => {
    expect(
      await found(`${HEAD}route:
  targets: [default]
  routes:
    - matchers: ['severity="critical"']
      targets: [pager]
    - matchers: ['severity="critical"', 'labels.team="db"']
    - matchers: []
    - matchers: ['cloud="aws"']
`),
    ).toEqual([
      '10 warning route.routes[1]: unreachable: the route route.routes[0] before it takes every alert this route matches, and has no continue: true',
      '12 warning route.routes[3]: unreachable: the catch-all route.routes[2] before it takes every alert this route matches, and has no continue: true',
    ]);
  });

  it('says nothing of a route after a sibling with continue: true, or one that matches less', async () => {
    expect(
      await found(`${HEAD}route:
  targets: [default]
  routes:
    - matchers: []
      targets: [pager]
      continue: true
    - matchers: ['severity="critical"', 'labels.team="db"']
    - matchers: ['severity="critical"']
`),
    ).toEqual([]);
  });

  it('finds matchers that can never match together, along the path from the root', async () => {
    expect(
      await found(`${HEAD}route:
  targets: [default]
  routes:
    - matchers: ['labels.team="db"']
      routes:
        - matchers: ['labels.team=~"web|api"']
        - matchers: ['labels.team!="db"']
    - matchers: ['severity="warning", severity="critical"']
`),
    ).toEqual([
      '10 warning route.routes[0].routes[0]: can never match: labels.team="db" and labels.team=~"web|api"',
      '11 warning route.routes[0].routes[1]: can never match: labels.team="db" and labels.team!="db"',
      '12 warning route.routes[1]: can never match: severity="warning" and severity="critical"',
    ]);
  });

  it('finds sourceSeverity values ARMS never sends, and routes that deliver nowhere', async () => {
    expect(
      await found(`${HEAD}route:
  targets: [default]
  routes:
    - matchers: ['sourceSeverity="p1"']
      targets: [pager]
    - matchers: ['status="commented"']
      targets: []
`),
    ).toEqual([
      '8 warning route.routes[0].matchers: sourceSeverity="p1" never matches: sourceSeverity is ARMS\'s level, one of P1, P2, P3, P4 (case-sensitive), or "" for CloudWatch; did you mean "P1"?',
      '10 warning route.routes[1]: delivers to no target (targets: []): the alerts it takes are dropped, and reported as handled',
    ]);
  });

  it('finds a regex whose anchoring leaks, as Alertmanager anchors it', async () => {
    const [problem] = await found(`${HEAD}route:\n  targets: [default]\n  routes:\n    - matchers: ['name=~"a)|(b"']\n`);
    expect(problem).toMatch(/^8 warning route\.routes\[0\]\.matchers: name=~"a\)\|\(b": the regex is not valid on its own; .*\^\(\?:a\)\|\(b\)\$/);
  });

  it('finds expired silences, silences that contradict themselves and silences no delivering route can take', async () => {
    const silence = (matchers: string, endsAt = '2027-01-01T00:00:00Z') =>
      `  - matchers: [${matchers}]\n    startsAt: 2026-11-01T00:00:00Z\n    endsAt: ${endsAt}\n    createdBy: ops\n    comment: test\n`;
    expect(
      await found(`${HEAD}route:
  targets: [default]
  routes:
    - matchers: ['labels.team="db"']
      targets: [pager]
    - matchers: []
silences:
${silence(`'labels.team="db"'`, '2026-12-02T00:00:00Z')}${silence(`'labels.team="db"', 'labels.team="web"'`)}${silence(`'labels.team="web"'`)}${silence(`'labels.team="db"'`)}`),
    ).toEqual([
      // The third and fourth are fine: team web goes to the catch-all, team db to pager.
      '14 warning silences[0].endsAt: expired on 2026-12-02T00:00:00.000Z: it silences nothing any more; remove it',
      '17 warning silences[1].matchers: can never match: labels.team="db" and labels.team="web"',
    ]);
  });

  it('finds a silence that only routes delivering nowhere could take', async () => {
    expect(
      await found(`${HEAD}route:
  targets: [default]
  routes:
    - matchers: ['labels.team="db"']
      targets: []
    - matchers: ['labels.team!="db"']
silences:
  - matchers: ['labels.team="db"']
    startsAt: 2026-11-01T00:00:00Z
    endsAt: 2027-01-01T00:00:00Z
    createdBy: ops
    comment: test
`),
    ).toEqual([
      '8 warning route.routes[0]: delivers to no target (targets: []): the alerts it takes are dropped, and reported as handled',
      '12 warning silences[0].matchers: matches no alert that a route delivers to a target: every delivering route contradicts its matchers',
    ]);
  });

  it('finds time intervals no route uses', async () => {
    expect(await found(`${HEAD}timeIntervals:\n  nights: [{ times: [{ startTime: '00:00', endTime: '06:00' }] }]\nroute:\n  targets: [default]\n`)).toEqual([
      '6 warning timeIntervals.nights: no route uses this time interval (muteTimeIntervals or activeTimeIntervals)',
    ]);
  });

  it('finds nothing in a sound file', async () => {
    expect(await found(`${HEAD}route:\n  targets: [default]\n  routes:\n    - matchers: ['severity="critical"']\n      targets: [pager]\n`)).toEqual([]);
  });
});

describe('errors', () => {
  it('reports every error at once, in file order, without repeating them as warnings', async () => {
    expect(
      await found(`version: 1
targets:
  hook:
    type: webhook
    url: https://hooks.example.com/x
    secret: \${env:HOOK_SECRET}
  pd:
    type: pagerduty
    routingKey: a-literal-key
route:
  targets: [hook]
  routes:
    - matchers: ['severity="Critical"']
      targets: [pager]
    - matchers: ['team="db"']
`),
    ).toEqual([
      '9 error targets.pd.routingKey: must be a secret reference like ${env:NAME}, not a literal',
      '13 error route.routes[0].matchers[0]: "Critical" is not a value of severity, which is one of critical, error, warning, info (values are case-sensitive: did you mean "critical"?)',
      '14 error route.routes[0].targets[0]: unknown target "pager"; defined targets: hook, pd',
      '15 error route.routes[1].matchers[0]: unknown field "team" (for the label team, write labels.team); a matcher names one of id, dedupKey, cloud, provider, kind, status, previousStatus, severity, sourceSeverity, name, summary, description, account, region, comment, solution, labels.<key>, annotations.<key>',
    ]);
  });

  it('reports every schema problem at once', async () => {
    expect(await found('version: 2\ntargets:\n  a: { type: console, retries: -1 }\nroute:\n  targets: [a]\n  contniue: true\n')).toEqual([
      '1 error version: must be 1, the only version of router.yaml this router reads',
      '3 error targets.a.retries: must be at least 0',
      '6 error route.contniue: unknown key "contniue"; valid keys here: targets, muted, routes',
    ]);
  });

  it('checks secret references without their variables set, and still judges what it can', async () => {
    const yaml = (url: string) => `version: 1
targets:
  hook:
    type: webhook
    url: ${url}
    secret: \${env:HOOK_SECRET}
route:
  targets: [hook]
`;
    expect(await found(yaml('${env:HOOK_URL}'))).toEqual([]);
    expect(await found(yaml('${ssm:/hook/url}'))).toEqual(['5 error targets.hook.url: unsupported reference "${ssm:/hook/url}": only ${env:NAME} is supported']);
    // A set variable is resolved and judged like any value, and never shown.
    const [problem] = await found(yaml('${env:HOOK_URL}'), { HOOK_URL: 'not a url at all' });
    expect(problem).toMatch(/^5 error targets\.hook\.url: /);
    expect(problem).not.toContain('not a url at all');
  });
});
