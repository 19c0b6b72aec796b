import { stat } from 'node:fs/promises';
import { alertSchema, type Alert } from '../../model/alert';
import { MatcherError, parseMatcher } from '../../route/matcher';
import { describeHoldReason } from '../../route/suppress';
import { formatMatchedTree } from '../../route/tree';
import type { RouterConfig } from '../../route/types';
import { planAlert, type Plan } from '../../runtime/pipeline';
import { UsageError, defineCommand, requireArg } from '../command';
import { alertsOfFile, listEventFiles, readEventFile } from '../events';
import { parseTime } from '../time';

export default defineCommand({
  name: 'routes test',
  summary: 'show which targets an alert reaches, and which are held back and why (nothing is sent)',
  usage: 'FILE|DIR...|NAME=VALUE... [--at TIME] [--verify TARGET,...] [--tree] [--json]',
  description:
    'The alerts are those of event files (a directory: its .json files), or one alert described by its fields and ' +
    'labels, as amtool takes labels: severity=critical labels.team=db (status firing, severity error, cloud aws unless ' +
    'given). One line per alert: the targets it reaches, comma-separated, `(held back)` after those a mute window, ' +
    'silence or time interval holds back; with several files each line starts with the file. Silences and time ' +
    'intervals are judged at --at (default now). --verify exits 1 when an alert does not reach exactly these ' +
    'targets: a routing test for CI, the same every day (as amtool checks routing alone); with --at, when it is not ' +
    'delivered to exactly these targets at that time (held-back ones excluded).',
  examples: [
    'routes test events/aws/state-change-single-metric.json',
    'routes test events/alibaba --tree',
    'routes test severity=critical labels.team=db --at 2026-12-05T03:00:00Z --tree',
    'routes test events/alibaba/arms-alarm-create.json --verify local-file --json',
  ],
  takesConfig: true,
  options: {
    at: { type: 'string', value: 'TIME', description: 'judge silences and time intervals at this RFC 3339 time (default now)' },
    verify: { type: 'string', value: 'TARGET,...', description: 'exit 1 unless each alert reaches exactly these targets (with --at: is delivered to them at that time)' },
    tree: { type: 'boolean', default: false, description: 'show the path each alert takes and why each target is reached or held back' },
    json: { type: 'boolean', default: false, description: 'one JSON array: each alert, its routes, targets, held-back targets and reasons' },
  },
  async run(ctx) {
    requireArg(ctx, 0, 'FILE (an event file), DIR, or the alert as NAME=VALUE...');
    const at = ctx.values.at === undefined ? new Date() : parseTime(String(ctx.values.at));
    const expected = ctx.values.verify === undefined ? undefined : String(ctx.values.verify).split(',').map((name) => name.trim()).filter(Boolean);
    const inputs = await readInputs(ctx.args);
    const config = await ctx.loadConfig();
    for (const name of expected ?? []) {
      if (!config.targets[name]) throw new UsageError(`--verify: unknown target ${name}; defined targets: ${Object.keys(config.targets).join(', ')}`);
    }
    const many = new Set(inputs.map((input) => input.file)).size > 1;
    // Without --at, holds are shown as of now but not verified: a CI job's verdict must not change with the clock.
    const verifyHolds = ctx.values.at !== undefined;
    const results = inputs.map(({ file, alert }) => explain(file, planAlert(alert, config, at), expected, verifyHolds));
    if (ctx.values.json) {
      ctx.print(JSON.stringify(results.map(({ plan, ...result }) => ({ ...result, routes: plan.routes.map((r) => r.path) })), null, 2));
    } else {
      for (const result of results) {
        const line = result.plan.targets.map((name) => (result.held.some((h) => h.target === name) ? `${name} (held back)` : name)).join(',');
        if (ctx.values.tree) ctx.print(`${formatExplanation(result, config, at, many)}\n\n`);
        else ctx.print(many ? `${result.file}: ${line}` : line);
      }
    }
    let failed = 0;
    for (const { file, alert, verify, delivered, targets } of results) {
      if (!verify || verify.ok) continue;
      failed += 1;
      const got = verifyHolds ? `delivered to ${delivered.join(',') || '(none)'}` : `reaches ${targets.join(',') || '(none)'}`;
      ctx.note(`verify failed: ${file} (${alert.name}): expected ${verify.expected.join(',') || '(none)'}, ${got}`);
    }
    return failed > 0 ? 1 : 0;
  },
});

interface Input {
  /** The event file, or `(command line)`. */
  file: string;
  alert: Alert;
}

/** Event files and directories, or one alert from NAME=VALUE arguments. */
async function readInputs(args: string[]): Promise<Input[]> {
  const isField = async (arg: string) => arg.includes('=') && !(await stat(arg).then(() => true, () => false));
  const fields = await Promise.all(args.map(isField));
  if (fields.every(Boolean)) return [{ file: '(command line)', alert: alertFromFields(args) }];
  if (fields.some(Boolean)) throw new UsageError('give event files and directories, or an alert as NAME=VALUE arguments, not both');
  const inputs: Input[] = [];
  for (const file of await listEventFiles(args)) {
    for (const alert of alertsOfFile(file, await readEventFile(file))) inputs.push({ file, alert });
  }
  return inputs;
}

/** An alert described as amtool describes one: `severity=critical labels.team=db name="Disk full"`. */
export function alertFromFields(args: readonly string[]): Alert {
  const alert: Record<string, unknown> = {
    schemaVersion: '1',
    id: 'routes-test',
    dedupKey: 'routes-test',
    kind: 'state-change',
    status: 'firing',
    previousStatus: null,
    severity: 'error',
    sourceSeverity: null,
    name: 'routes-test',
    summary: '',
    description: '',
    account: null,
    region: null,
    resources: [],
    labels: {},
    annotations: {},
    alerts: [],
    startsAt: null,
    endsAt: null,
    observedAt: null,
    actor: null,
    comment: null,
    solution: null,
    muted: null,
    links: [],
    source: { id: 'routes-test', type: 'command line', source: 'command line', bus: null, time: null },
  };
  for (const arg of args) {
    let matcher;
    try {
      matcher = parseMatcher(arg);
    } catch (error) {
      if (error instanceof MatcherError) throw new UsageError(`${arg}: ${error.message}`);
      throw error;
    }
    if (matcher.op !== '=') throw new UsageError(`${arg}: an alert is described with NAME=VALUE, not ${matcher.op}`);
    const dot = matcher.name.indexOf('.');
    if (dot > 0) (alert[matcher.name.slice(0, dot)] as Record<string, string>)[matcher.name.slice(dot + 1)] = matcher.value;
    else alert[matcher.name] = matcher.value;
  }
  // One of cloud and provider names the other; AWS CloudWatch when neither is given.
  alert.provider ??= alert.cloud === 'alibaba' ? 'alibaba.arms' : 'aws.cloudwatch';
  alert.cloud ??= String(alert.provider).startsWith('alibaba') ? 'alibaba' : 'aws';
  const parsed = alertSchema.safeParse(alert);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new UsageError(issue ? `${issue.path.join('.')}: ${issue.message}` : parsed.error.message);
  }
  return parsed.data;
}

interface Explanation {
  file: string;
  alert: Pick<Alert, 'id' | 'name' | 'status' | 'severity' | 'provider'>;
  /** Every target the routes name, in order (held-back ones included). */
  targets: string[];
  /** The targets it would be sent to. */
  delivered: string[];
  held: { target: string; reasons: string[] }[];
  verify?: { expected: string[]; ok: boolean };
  plan: Plan;
}

/** `verifyHolds`: --verify compares the targets it is delivered to (held-back ones excluded), else the targets it reaches. */
function explain(file: string, plan: Plan, expected: string[] | undefined, verifyHolds: boolean): Explanation {
  const held = plan.held.map(({ target, reasons }) => ({ target, reasons: reasons.map(describeHoldReason) }));
  const delivered = plan.targets.filter((name) => !held.some((h) => h.target === name));
  const { id, name, status, severity, provider } = plan.alert;
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  return {
    file,
    alert: { id, name, status, severity, provider },
    targets: plan.targets,
    delivered,
    held,
    ...(expected ? { verify: { expected, ok: same([...new Set(expected)], verifyHolds ? delivered : plan.targets) } } : {}),
    plan,
  };
}

function formatExplanation(result: Explanation, config: RouterConfig, at: Date, withFile: boolean): string {
  const { alert, plan } = result;
  const lines = [
    `${withFile ? `${result.file}: ` : ''}${alert.name} (${alert.provider}, ${alert.status}, ${alert.severity}) at ${at.toISOString()}`,
    formatMatchedTree(config.route, plan.routes),
  ];
  const width = Math.max(0, ...plan.targets.map((name) => name.length));
  for (const name of plan.targets) {
    const held = result.held.find((h) => h.target === name);
    const via = plan.routes.filter((route) => route.targets.includes(name)).map((route) => route.path);
    lines.push(held ? `  ${name.padEnd(width)}  held back: ${held.reasons.join('; ')}` : `  ${name.padEnd(width)}  delivered via ${via.join(', ')}`);
  }
  if (plan.targets.length === 0) lines.push('  (no target: the delivering route names none)');
  if (result.verify) lines.push(result.verify.ok ? '  verify: ok' : `  verify: FAILED, expected ${result.verify.expected.join(',') || '(none)'}`);
  return lines.join('\n');
}
