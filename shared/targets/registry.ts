// One line per target type. Modules load on demand, so a function pays at cold start only
// for the target types its router.yaml uses (and a target's SDK only when it is created).
import type { TargetType } from './contract';

type Loader = () => Promise<{ default: TargetType<unknown> }>;

export const targetTypes: Record<string, Loader> = {
  console: () => import('./console'),
  file: () => import('./file'),
  webhook: () => import('./webhook'),
  sns: () => import('./sns'),
  'aws-eventbridge': () => import('./aws-eventbridge'),
  'alibaba-eventbridge': () => import('./alibaba-eventbridge'),
  'fc-invoke': () => import('./fc-invoke'),
  'lambda-invoke': () => import('./lambda-invoke'),
  pagerduty: () => import('./pagerduty'),
  jira: () => import('./jira'),
  servicenow: () => import('./servicenow'),
  slack: () => import('./slack'),
  dingtalk: () => import('./dingtalk'),
  lark: () => import('./lark'),
  wecom: () => import('./wecom'),
};

export async function loadTargetType(type: string): Promise<TargetType<unknown> | undefined> {
  const loader = Object.hasOwn(targetTypes, type) ? targetTypes[type] : undefined;
  return loader ? ((await loader()).default as TargetType<unknown>) : undefined;
}
