// Variable sources of serverless.yml, for what YAML alone cannot say: the EventBridge
// patterns, narrowed only by the deploy-time parameters that are set, the functions'
// environment, with one Secrets Manager reference per ${env:NAME} of the shipped router.yaml,
// and the role's statements for the configured targets. The last two come from the build,
// which the first of them runs (once per serverless command): `serverless package`,
// `deploy` and `invoke local` always ship a fresh build of the router.yaml chosen by
// `--param="routerConfig=FILE"` or ROUTER_CONFIG (default: router.yaml).
// Serverless Framework (v3 and v4) loads this file with require(): it is CommonJS.
'use strict';

const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const path = require('node:path');

/** The CloudWatch event type each function handles (EventBridge detail-type). */
const DETAIL_TYPES = {
  alarmStateChange: 'CloudWatch Alarm State Change',
  alarmContributorStateChange: 'CloudWatch Alarm Contributor State Change',
  alarmConfigurationChange: 'CloudWatch Alarm Configuration Change',
};

/** Where the runtime finds the router.json compiled into each zip (the Lambda code root). */
const ROUTER_CONFIG = '/var/task/router.json';

/** The repository (scripts/..): where the build and the handlers are. */
const ROOT = path.resolve(__dirname, '..');

async function textParam(resolveVariable, name) {
  const value = await resolveVariable(`param:${name}`);
  return typeof value === 'string' ? value.trim() : '';
}

/** `{source, detail-type}`, plus `account` and an alarm-name prefix when those parameters are set. */
function pattern(detailType) {
  return async ({ resolveVariable }) => {
    const accounts = (await textParam(resolveVariable, 'account'))
      .split(',')
      .map((account) => account.trim())
      .filter(Boolean);
    const alarmNamePrefix = await textParam(resolveVariable, 'alarmNamePrefix');
    return {
      source: ['aws.cloudwatch'],
      'detail-type': [detailType],
      ...(accounts.length > 0 ? { account: accounts } : {}),
      ...(alarmNamePrefix ? { detail: { alarmName: [{ prefix: alarmNamePrefix }] } } : {}),
    };
  };
}

let built;

/**
 * Builds into dist/ of the service directory (the working directory of serverless) with the
 * chosen router.yaml, once, and returns dist/aws/deploy.json. `--cloud aws`: a state store
 * that cannot run on Lambda (Tablestore) fails the build, naming the file.
 */
function buildOnce(routerConfig) {
  if (!built) {
    const config = path.resolve(routerConfig || process.env.ROUTER_CONFIG || path.join(ROOT, 'router.yaml'));
    const tsx = require.resolve('tsx/cli', { paths: [ROOT] });
    // The build's table goes to stderr: serverless owns stdout (`serverless print` and the like).
    execFileSync(process.execPath, [tsx, path.join(ROOT, 'scripts', 'build.ts'), '--config', config, '--out', path.resolve('dist'), '--cloud', 'aws'], {
      stdio: ['ignore', process.stderr, process.stderr],
    });
    built = JSON.parse(readFileSync(path.resolve('dist', 'aws', 'deploy.json'), 'utf8'));
  }
  return built;
}

async function fromBuild(resolveVariable, key) {
  return buildOnce(await textParam(resolveVariable, 'routerConfig'))[key];
}

/**
 * ROUTER_CONFIG, and each environment variable router.yaml references as a CloudFormation
 * dynamic reference to a key of one Secrets Manager secret: CloudFormation resolves it at
 * deploy time, so no secret value is ever in the template or the deployment bucket. With
 * `secretVersionId` the reference names that version: CloudFormation re-reads a reference
 * only when its text changes, so passing the new version id is what makes a rotated secret
 * reach the functions.
 */
async function environment({ resolveVariable }) {
  const secretId = await textParam(resolveVariable, 'secretId');
  const versionId = await textParam(resolveVariable, 'secretVersionId');
  const names = await fromBuild(resolveVariable, 'secretEnv');
  const version = versionId ? `::${versionId}` : '';
  const secrets = Object.fromEntries(names.map((name) => [name, `{{resolve:secretsmanager:${secretId}:SecretString:${name}${version}}}`]));
  // The code root is read-only: a relative `file` target path lands in /tmp.
  return { ROUTER_CONFIG, ROUTER_DATA_DIR: '/tmp', ...secrets };
}

/** One `sns` event per topic of the alarmNotificationTopicArns parameter (none when it is empty). */
async function alarmNotificationTopics({ resolveVariable }) {
  return (await textParam(resolveVariable, 'alarmNotificationTopicArns'))
    .split(',')
    .map((arn) => arn.trim())
    .filter(Boolean)
    .map((arn) => ({ sns: { arn } }));
}

module.exports = {
  alarmNotificationTopics,
  patterns: Object.fromEntries(Object.entries(DETAIL_TYPES).map(([key, detailType]) => [key, pattern(detailType)])),
  environment,
  /** The Lambda role's statements for the configured targets (scripts/permissions.ts). */
  iamStatements: ({ resolveVariable }) => fromBuild(resolveVariable, 'iamStatements'),
};
