// Least-privilege permissions derived from the targets of a router.yaml: only the actions
// the configured targets perform, on the resources their settings name. A target type that
// calls no cloud API (webhook, chat, ticketing...) adds nothing.
import { BuildConfigError, literalSetting, type RouterConfigSummary, type RouterTarget } from './router-targets';

/** A CloudFormation value: a string or the intrinsics we emit (no ${} so that no template engine rewrites it). */
export type CfnValue = string | { Ref: string } | { 'Fn::Join': [string, CfnValue[]] };

export interface IamStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: CfnValue[];
}

export interface RamStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
}

type Part = string | { Ref: string };

const ref = (name: string): Part => ({ Ref: name });

/** The parts joined: a plain string when every part is one, else an Fn::Join. */
function join(parts: Part[]): CfnValue {
  return parts.every((p) => typeof p === 'string') ? parts.join('') : { 'Fn::Join': ['', parts] };
}

/** The parts of arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE in this stack's partition and account. */
function stackArn(service: string, region: string | undefined, resource: string, account: Part = ref('AWS::AccountId')): Part[] {
  return ['arn:', ref('AWS::Partition'), `:${service}:`, region ?? ref('AWS::Region'), ':', account, `:${resource}`];
}

/** Groups resources by action into one statement per action, each resource once, in a stable order. */
function group<R>(grants: { action: string; resources: R[] }[], key: (resource: R) => string): { action: string; resources: R[] }[] {
  const byAction = new Map<string, Map<string, R>>();
  for (const { action, resources } of grants) {
    const seen = byAction.get(action) ?? new Map<string, R>();
    for (const resource of resources) seen.set(key(resource), resource);
    byAction.set(action, seen);
  }
  return [...byAction.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([action, resources]) => ({ action, resources: [...resources.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, r]) => r) }));
}

// --- AWS -------------------------------------------------------------------------------

const LAMBDA_ARN = /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]+)(?::([$A-Za-z0-9_-]+))?$/;
const LAMBDA_PARTIAL_ARN = /^(\d{12}):function:([A-Za-z0-9_-]+)(?::([$A-Za-z0-9_-]+))?$/;
const LAMBDA_NAME = /^([A-Za-z0-9_-]+)(?::([$A-Za-z0-9_-]+))?$/;

/** The ARNs lambda:InvokeFunction needs: the function's, and every qualifier of it when none is fixed. */
function lambdaResources(target: RouterTarget, file: string): CfnValue[] {
  const value = literalSetting(target, 'functionName', file);
  if (value === undefined) throw new BuildConfigError(file, `targets.${target.name}.functionName: required`);
  const region = literalSetting(target, 'region', file);
  let base: Part[];
  let qualifier: string | undefined;
  let match: RegExpExecArray | null;
  if ((match = LAMBDA_ARN.exec(value))) {
    base = [`arn:${match[1]}:lambda:${match[2]}:${match[3]}:function:${match[4]}`];
    qualifier = match[5];
  } else if ((match = LAMBDA_PARTIAL_ARN.exec(value))) {
    base = stackArn('lambda', region, `function:${match[2]}`, match[1]);
    qualifier = match[3];
  } else if ((match = LAMBDA_NAME.exec(value))) {
    base = stackArn('lambda', region, `function:${match[1]}`);
    qualifier = match[2];
  } else {
    throw new BuildConfigError(file, `targets.${target.name}.functionName: not a Lambda function name or ARN`);
  }
  qualifier = literalSetting(target, 'qualifier', file) ?? qualifier;
  return qualifier ? [join([...base, `:${qualifier}`])] : [join(base), join([...base, ':*'])];
}

function eventBusResource(target: RouterTarget, file: string): CfnValue {
  const value = literalSetting(target, 'eventBusName', file);
  if (value === undefined) throw new BuildConfigError(file, `targets.${target.name}.eventBusName: required`);
  if (value.startsWith('arn:')) return value;
  return join(stackArn('events', literalSetting(target, 'region', file), `event-bus/${value}`));
}

function topicResource(target: RouterTarget, file: string): CfnValue {
  const value = literalSetting(target, 'topicArn', file);
  if (value === undefined || !value.startsWith('arn:')) throw new BuildConfigError(file, `targets.${target.name}.topicArn: required, an SNS topic ARN`);
  return value;
}

const AWS_GRANTS: Record<string, { action: string; resources: (target: RouterTarget, file: string) => CfnValue[] }> = {
  sns: { action: 'sns:Publish', resources: (t, f) => [topicResource(t, f)] },
  'aws-eventbridge': { action: 'events:PutEvents', resources: (t, f) => [eventBusResource(t, f)] },
  'lambda-invoke': { action: 'lambda:InvokeFunction', resources: lambdaResources },
};

/** What the functions do with a DynamoDB state store (shared/state/dynamodb.ts); `router state` also scans. */
export const DYNAMODB_STATE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem'] as const;

/** The state table's grants: a `state:` section with `store: dynamodb` names its table literally. */
function stateGrants(state: RouterConfigSummary['state'], file: string): { action: string; resources: CfnValue[] }[] {
  if (state?.store !== 'dynamodb') return [];
  const table = state.settings.table;
  if (typeof table !== 'string' || table === '' || table.includes('${')) {
    throw new BuildConfigError(file, "state.table: must be written literally: the function's permissions are generated from it");
  }
  const region = typeof state.settings.region === 'string' ? state.settings.region : undefined;
  const arn = join(stackArn('dynamodb', region, `table/${table}`));
  return DYNAMODB_STATE_ACTIONS.map((action) => ({ action, resources: [arn] }));
}

/** IAM statements for the Lambda role: one per action, on exactly the named resources. */
export function awsIamStatements(targets: RouterTarget[], file: string, state?: RouterConfigSummary['state']): IamStatement[] {
  const grants = targets.flatMap((target) => {
    const grant = AWS_GRANTS[target.type];
    return grant ? [{ action: grant.action, resources: grant.resources(target, file) }] : [];
  });
  grants.push(...stateGrants(state, file));
  return group(grants, (r) => JSON.stringify(r)).map(({ action, resources }) => ({ Effect: 'Allow', Action: [action], Resource: resources }));
}

// --- Alibaba Cloud ---------------------------------------------------------------------

/** Where the FC functions run, for resources whose settings name no region or account. */
export interface AlibabaScope {
  region: string;
  /** `*` when the account is not known at build time (resolved by Serverless Devs at deploy). */
  accountId: string;
}

/** Resources of the deployment itself: its log store and its dead-letter queue. */
export interface AlibabaDeployment extends AlibabaScope {
  logProject: string;
  logStore: string;
  deadLetterQueue: string;
}

const ALIBABA_GRANTS: Record<string, { action: string; resource: (target: RouterTarget, file: string, scope: AlibabaScope) => string }> = {
  'alibaba-eventbridge': {
    action: 'eventbridge:PutEvents',
    resource: (t, f, scope) => {
      const bus = literalSetting(t, 'eventBusName', f);
      if (bus === undefined) throw new BuildConfigError(f, `targets.${t.name}.eventBusName: required`);
      return `acs:eventbridge:${literalSetting(t, 'region', f) ?? scope.region}:${literalSetting(t, 'accountId', f) ?? scope.accountId}:eventbus/${bus}`;
    },
  },
  'fc-invoke': {
    action: 'fc:InvokeFunction',
    // FC 3.0 names the function alone; a qualifier (version or alias) is part of the same resource.
    resource: (t, f, scope) => {
      const fn = literalSetting(t, 'functionName', f);
      if (fn === undefined) throw new BuildConfigError(f, `targets.${t.name}.functionName: required`);
      return `acs:fc:${literalSetting(t, 'region', f) ?? scope.region}:${literalSetting(t, 'accountId', f) ?? scope.accountId}:functions/${fn}`;
    },
  },
};

/**
 * The policy of the FC functions' RAM role: write their logs, send failed invocations to the
 * dead-letter queue, and the actions of the configured targets on the resources they name.
 */
export function alibabaRamStatements(targets: RouterTarget[], file: string, deployment: AlibabaDeployment): RamStatement[] {
  const { region, accountId } = deployment;
  const grants = [
    { action: 'log:PostLogStoreLogs', resources: [`acs:log:${region}:${accountId}:project/${deployment.logProject}/logstore/${deployment.logStore}`] },
    { action: 'mns:SendMessage', resources: [`acs:mns:${region}:${accountId}:/queues/${deployment.deadLetterQueue}/messages`] },
    ...targets.flatMap((target) => {
      const grant = ALIBABA_GRANTS[target.type];
      return grant ? [{ action: grant.action, resources: [grant.resource(target, file, deployment)] }] : [];
    }),
  ];
  return group(grants, (r) => r).map(({ action, resources }) => ({ Effect: 'Allow', Action: [action], Resource: resources }));
}
