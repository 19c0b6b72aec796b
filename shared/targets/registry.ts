// One line per target type. Modules load on demand, so a function pays at cold start only
// for the target types its router.yaml uses (and a target's SDK only when it is created).
import type { TargetType } from './contract';

type Loader = () => Promise<{ default: TargetType }>;

export const targetTypes: Record<string, Loader> = {
  console: () => import('./local/console'),
  file: () => import('./local/file'),
  webhook: () => import('./http/webhook'),
  sns: () => import('./cloud/sns'),
  'aws-eventbridge': () => import('./cloud/aws-eventbridge'),
  'alibaba-eventbridge': () => import('./cloud/alibaba-eventbridge'),
  'fc-invoke': () => import('./cloud/fc-invoke'),
  'lambda-invoke': () => import('./cloud/lambda-invoke'),
  pagerduty: () => import('./lifecycle/pagerduty'),
  jira: () => import('./lifecycle/jira'),
  servicenow: () => import('./lifecycle/servicenow'),
  slack: () => import('./chat/slack'),
  dingtalk: () => import('./chat/dingtalk'),
  lark: () => import('./chat/lark'),
  wecom: () => import('./chat/wecom'),
};

export async function loadTargetType(type: string): Promise<TargetType | undefined> {
  const loader = Object.hasOwn(targetTypes, type) ? targetTypes[type] : undefined;
  return loader ? (await loader()).default : undefined;
}
