// The routing tree, with Alertmanager's semantics: the root matches every alert; a node's
// children are tried in order and the first matching child takes the alert, unless that
// child says `continue: true`; a matching node none of whose children match delivers to
// its own (possibly inherited) targets.
import type { Alert } from '../model/alert';
import { formatMatchers, matchesAll } from './matcher';
import type { Route } from './types';

/** The nodes that deliver the alert, in tree order. Never empty: the root matches everything. */
export function matchRoutes(root: Route, alert: Alert): Route[] {
  return matchNode(root, alert, true);
}

function matchNode(node: Route, alert: Alert, isRoot: boolean): Route[] {
  if (!isRoot && !matchesAll(node.matchers, alert)) return [];
  let delivering: Route[] | undefined;
  for (const child of node.routes) {
    const matched = matchNode(child, alert, false);
    if (matched.length > 0) delivering = delivering ? delivering.concat(matched) : matched;
    if (matched.length > 0 && !child.continue) break;
  }
  return delivering ?? [node];
}

/** Where the alert goes: the delivering nodes, and their targets deduplicated in order. */
export function routeTargets(root: Route, alert: Alert): { targets: string[]; routes: Route[] } {
  const routes = matchRoutes(root, alert);
  const targets: string[] = [];
  for (const route of routes) for (const target of route.targets) if (!targets.includes(target)) targets.push(target);
  return { targets, routes };
}

/** Every target some route of the tree names: those a router prepares. */
export function routedTargetNames(route: Route, into = new Set<string>()): Set<string> {
  for (const name of route.targets) into.add(name);
  for (const child of route.routes) routedTargetNames(child, into);
  return into;
}

/**
 * The tree as indented text, one node a line, for `routes show`:
 *
 *   route  targets: local-file  muted: skip
 *   ├── {severity="critical"}  targets: console  continue: true  muted: skip
 *   └── {}  targets: local-file  continue: false  muted: skip
 */
export function formatRouteTree(root: Route): string {
  const lines = [`route  ${describeNode(root, true)}`];
  const walk = (node: Route, indent: string) => {
    node.routes.forEach((child, index) => {
      const last = index === node.routes.length - 1;
      lines.push(`${indent}${last ? '└── ' : '├── '}${formatMatchers(child.matchers)}  ${describeNode(child, false)}`);
      walk(child, indent + (last ? '    ' : '│   '));
    });
  };
  walk(root, '');
  return lines.join('\n');
}

function describeNode(node: Route, isRoot: boolean): string {
  const targets = node.targets.length > 0 ? node.targets.join(', ') : '(none)';
  // The root has no siblings, so `continue` means nothing there.
  const cont = isRoot ? '' : `  continue: ${node.continue}`;
  const mute = node.muteTimeIntervals.length > 0 ? `  muteTimeIntervals: ${node.muteTimeIntervals.join(', ')}` : '';
  const active = node.activeTimeIntervals.length > 0 ? `  activeTimeIntervals: ${node.activeTimeIntervals.join(', ')}` : '';
  return `targets: ${targets}${cont}  muted: ${node.muted}${mute}${active}`;
}

/**
 * The path an alert took, as amtool's `--tree` shows it: only the nodes on the way from the
 * root to each delivering node, the delivering ones marked.
 *
 *   route  targets: default
 *   └── {labels.team="db"}
 *       └── {severity="critical"}  targets: pager  (delivers)
 */
export function formatMatchedTree(root: Route, delivering: readonly Route[]): string {
  const onPath = (node: Route) => delivering.some((d) => d.path === node.path || d.path.startsWith(`${node.path}.`));
  const label = (node: Route) => (delivering.includes(node) ? `  targets: ${node.targets.join(', ') || '(none)'}  (delivers)` : '');
  const lines = [`route${label(root)}`];
  const walk = (node: Route, indent: string) => {
    const children = node.routes.filter(onPath);
    children.forEach((child, index) => {
      const last = index === children.length - 1;
      lines.push(`${indent}${last ? '└── ' : '├── '}${formatMatchers(child.matchers)}${label(child)}`);
      walk(child, indent + (last ? '    ' : '│   '));
    });
  };
  walk(root, '');
  return lines.join('\n');
}
