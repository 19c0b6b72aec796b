// Variable sources of serverless.yml, for what YAML alone cannot say: the EventBridge
// patterns, narrowed only by the deploy-time parameters that are set, the functions'
// environment, with one Secrets Manager reference per ${env:NAME} of the shipped router.yaml,
// and the role's statements for the configured targets, both from the build.
// Serverless Framework (v3 and v4) loads this file with require(): it is CommonJS.
'use strict';

/** The CloudWatch event type each function handles (EventBridge detail-type). */
const DETAIL_TYPES = {
  alarmStateChange: 'CloudWatch Alarm State Change',
  alarmContributorStateChange: 'CloudWatch Alarm Contributor State Change',
  alarmConfigurationChange: 'CloudWatch Alarm Configuration Change',
};

/** Where the runtime finds the router.json compiled into each zip (the Lambda code root). */
const ROUTER_CONFIG = '/var/task/router.json';

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

/** A key of dist/aws/deploy.json, which the build writes from the router.yaml it ships. */
async function fromBuild(resolveVariable, key) {
  let value;
  try {
    value = await resolveVariable(`file(./dist/aws/deploy.json):${key}`);
  } catch {
    value = undefined;
  }
  if (value == null) throw new Error(`dist/aws/deploy.json has no ${key}: run \`npm run build\` first`);
  return value;
}

/**
 * ROUTER_CONFIG, and each environment variable router.yaml references as a CloudFormation
 * dynamic reference to a key of one Secrets Manager secret: CloudFormation resolves it at
 * deploy time, so no secret value is ever in the template or the deployment bucket.
 */
async function environment({ resolveVariable }) {
  const secretId = await textParam(resolveVariable, 'secretId');
  const names = await fromBuild(resolveVariable, 'secretEnv');
  const secrets = Object.fromEntries(names.map((name) => [name, `{{resolve:secretsmanager:${secretId}:SecretString:${name}}}`]));
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
