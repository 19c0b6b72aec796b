// Least-privilege permissions derived from a router.yaml: only the actions the configured
// targets and state store perform, on the resources their settings name. Each target and
// store type declares its own (`permissions` in its module); one that calls no cloud API
// (webhook, chat, ticketing, the local store...) declares none and adds nothing.
import type { AlibabaResource, AwsResource, CloudPermissions, Grant, WrittenSettings } from '../shared/permissions';
import { loadStoreType } from '../shared/state/registry';
import { loadTargetType } from '../shared/targets/registry';
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

// --- the targets' own declarations ----------------------------------------------------

/** What a permission declaration reads: settings as written, refused with the file and the setting named. */
function writtenSettings(settings: Record<string, unknown>, where: string, file: string): WrittenSettings {
  const fail = (key: string, problem: string): never => {
    throw new BuildConfigError(file, `${where}.${key}: ${problem}`);
  };
  return {
    optional: (key) => literalSetting(settings, key, where, file),
    required: (key, what) => literalSetting(settings, key, where, file) ?? fail(key, what ? `required, ${what}` : 'required'),
    invalid: fail,
  };
}

/**
 * The grants on one cloud that the configured targets and state store declare (their modules'
 * `permissions`, shared/permissions.ts).
 */
async function declaredGrants<R>(config: Pick<RouterConfigSummary, 'targets' | 'state'>, file: string, cloud: keyof CloudPermissions): Promise<Grant<R>[]> {
  const declared: { permissions?: CloudPermissions; settings: Record<string, unknown>; where: string }[] = [];
  for (const target of config.targets) {
    const type = await loadTargetType(target.type);
    if (!type) throw new BuildConfigError(file, `targets.${target.name}: unknown target type ${JSON.stringify(target.type)}`);
    declared.push({ permissions: type.permissions, settings: target.settings, where: `targets.${target.name}` });
  }
  if (config.state) {
    const type = await loadStoreType(config.state.store);
    if (!type) throw new BuildConfigError(file, `state.store: unknown store ${JSON.stringify(config.state.store)}`);
    declared.push({ permissions: type.permissions, settings: config.state.settings, where: 'state' });
  }
  return declared.flatMap(({ permissions, settings, where }) => {
    const declare = permissions?.[cloud]?.bind(permissions) as ((written: WrittenSettings) => Grant<R>[]) | undefined;
    return declare ? declare(writtenSettings(settings, where, file)) : [];
  });
}

// --- AWS -------------------------------------------------------------------------------

function awsArn(resource: AwsResource): CfnValue {
  if (typeof resource === 'string') return resource;
  return join(stackArn(resource.service, resource.region, resource.resource, resource.account));
}

/** IAM statements for the Lambda role: one per action, on exactly the named resources. */
export async function awsIamStatements(targets: RouterTarget[], file: string, state?: RouterConfigSummary['state']): Promise<IamStatement[]> {
  const grants = (await declaredGrants<AwsResource>({ targets, state }, file, 'aws')).map(({ action, resources }) => ({ action, resources: resources.map(awsArn) }));
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

/**
 * The policy of the FC functions' RAM role: write their logs, send failed invocations to the
 * dead-letter queue, and the actions of the configured targets on the resources they name.
 */
export async function alibabaRamStatements(targets: RouterTarget[], file: string, deployment: AlibabaDeployment): Promise<RamStatement[]> {
  const { region, accountId } = deployment;
  const acs = (r: AlibabaResource) => `acs:${r.service}:${r.region ?? region}:${r.account ?? accountId}:${r.resource}`;
  const grants = [
    { action: 'log:PostLogStoreLogs', resources: [`acs:log:${region}:${accountId}:project/${deployment.logProject}/logstore/${deployment.logStore}`] },
    { action: 'mns:SendMessage', resources: [`acs:mns:${region}:${accountId}:/queues/${deployment.deadLetterQueue}/messages`] },
    ...(await declaredGrants<AlibabaResource>({ targets }, file, 'alibaba')).map(({ action, resources }) => ({ action, resources: resources.map(acs) })),
  ];
  return group(grants, (r) => r).map(({ action, resources }) => ({ Effect: 'Allow', Action: [action], Resource: resources }));
}
