// The routing tree, loaded from YAML as a user writes it: Alertmanager's order, continue,
// inheritance and fallback semantics, and the text of `routes show`.
import { normalizeEvent } from '../../shared/normalize';
import type { Alert } from '../../shared/model/alert';
import { parseConfig } from '../../shared/route/config';
import { formatMatchedTree, formatRouteTree, matchRoutes, routeTargets } from '../../shared/route/tree';
import type { Route } from '../../shared/route/types';
import { eventsOf, samples } from '../support/samples';

const first = (folder: string, file: string): Alert =>
  normalizeEvent(eventsOf(samples(folder).find((s) => s.file.endsWith(file))!)[0]);
const aws = first('aws', 'state-change-single-metric.json');
const arms = first('alibaba', 'arms-alarm-create.json');

const TREE = `
version: 1
targets:
  default: { type: console }
  db: { type: console }
  db-critical: { type: console }
  aws: { type: console }
  audit: { type: file, path: out/audit.jsonl }
route:
  targets: [default]
  routes:
    - matchers: ['labels.team="db"']
      targets: [db]
      muted: deliver
      routes:
        - matchers: ['severity="critical"']
          targets: [db-critical]
          continue: true
        - matchers: ['status="resolved"']
        - matchers: ['status="commented"']
          targets: []
    - matchers: ['cloud="aws"']
      targets: [aws]
      continue: true
    - matchers: ['cloud="aws"']
      targets: [audit, aws]
    - matchers: ['cloud="aws"']
      targets: [default]
`;

let root: Route;
beforeAll(async () => {
  root = (await parseConfig(TREE, 'tree.yaml', {})).route;
});

const paths = (alert: Alert) => matchRoutes(root, alert).map((route) => route.path);

describe('matchRoutes', () => {
  it('delivers to the root when no child matches', () => {
    expect(paths(arms)).toEqual(['route']);
    expect(routeTargets(root, arms).targets).toEqual(['default']);
  });

  it('goes on to the next sibling after a match with continue, and stops after one without', () => {
    // routes[3] also matches but is never tried: routes[2] has no continue.
    expect(paths(aws)).toEqual(['route.routes[1]', 'route.routes[2]']);
  });

  it('deduplicates targets, keeping the order of first appearance', () => {
    expect(routeTargets(root, aws).targets).toEqual(['aws', 'audit']);
  });

  it('delivers to a matching node whose children all fail to match', () => {
    const db = { ...aws, labels: { team: 'db' } };
    expect(paths(db)).toEqual(['route.routes[0]']);
    expect(routeTargets(root, db).targets).toEqual(['db']);
  });

  it('recurses depth first and honours continue among nested children', () => {
    const critical = { ...aws, labels: { team: 'db' }, severity: 'critical' as const };
    expect(paths(critical)).toEqual(['route.routes[0].routes[0]']);
    const resolved = { ...critical, status: 'resolved' as const };
    expect(paths(resolved)).toEqual(['route.routes[0].routes[0]', 'route.routes[0].routes[1]']);
    expect(routeTargets(root, resolved).targets).toEqual(['db-critical', 'db']);
  });

  it('delivers nowhere through a route with an explicit empty target list', () => {
    const commented = { ...arms, labels: { team: 'db' }, status: 'commented' as const };
    const { routes, targets } = routeTargets(root, commented);
    expect(routes.map((route) => route.path)).toEqual(['route.routes[0].routes[2]']);
    expect(targets).toEqual([]);
  });

  it('returns the route objects themselves, so callers can read muted', () => {
    const { routes } = routeTargets(root, { ...aws, labels: { team: 'db' }, status: 'resolved' });
    expect(routes[0]).toBe(root.routes[0]!.routes[1]);
  });
});

describe('inheritance', () => {
  it('inherits targets and muted from the parent when not set', () => {
    const [db, awsRoute, audit] = root.routes;
    expect(root.muted).toBe('skip');
    expect(db!.routes[1]!.targets).toEqual(['db']);
    expect(db!.routes[1]!.muted).toBe('deliver');
    expect(db!.routes[0]!.muted).toBe('deliver');
    expect(awsRoute!.muted).toBe('skip');
    expect(audit!.targets).toEqual(['audit', 'aws']);
  });

  it('does not inherit continue', () => {
    expect(root.routes[1]!.continue).toBe(true);
    expect(root.routes[0]!.routes[1]!.continue).toBe(false);
  });
});

describe('formatRouteTree', () => {
  it('prints one line per node with its matchers, targets, continue and muted', () => {
    expect(formatRouteTree(root)).toBe(
      [
        'route  targets: default  muted: skip',
        '├── {labels.team="db"}  targets: db  continue: false  muted: deliver',
        '│   ├── {severity="critical"}  targets: db-critical  continue: true  muted: deliver',
        '│   ├── {status="resolved"}  targets: db  continue: false  muted: deliver',
        '│   └── {status="commented"}  targets: (none)  continue: false  muted: deliver',
        '├── {cloud="aws"}  targets: aws  continue: true  muted: skip',
        '├── {cloud="aws"}  targets: audit, aws  continue: false  muted: skip',
        '└── {cloud="aws"}  targets: default  continue: false  muted: skip',
      ].join('\n'),
    );
  });

  it('prints a lone root', async () => {
    const { route } = await parseConfig('version: 1\ntargets: { out: { type: console } }\nroute: { targets: [out] }\n', 'x.yaml', {});
    expect(formatRouteTree(route)).toBe('route  targets: out  muted: skip');
  });
});

describe('formatMatchedTree', () => {
  it('prints only the path the alert took, the delivering nodes marked', () => {
    const alert = { ...aws, severity: 'critical' as const, labels: { team: 'db' } };
    expect(formatMatchedTree(root, matchRoutes(root, alert))).toBe(
      [
        'route',
        '└── {labels.team="db"}',
        '    └── {severity="critical"}  targets: db-critical  (delivers)',
      ].join('\n'),
    );
    const other = { ...aws, severity: 'warning' as const, labels: {} };
    expect(formatMatchedTree(root, matchRoutes(root, other))).toBe(
      ['route', '├── {cloud="aws"}  targets: aws  (delivers)', '└── {cloud="aws"}  targets: audit, aws  (delivers)'].join('\n'),
    );
  });

  it('marks the root when no child takes the alert', () => {
    expect(formatMatchedTree(root, matchRoutes(root, { ...arms, labels: {} }))).toBe('route  targets: default  (delivers)');
  });
});

