import { ConfigError } from '../../model/errors';
import { readConfigText } from '../../route/config';
import { checkConfig } from '../../route/lint';
import type { Route } from '../../route/types';
import { defineCommand, noMoreArgs } from '../command';
import { parseTime } from '../time';

function countRoutes(route: Route): number {
  return 1 + route.routes.reduce((sum, child) => sum + countRoutes(child), 0);
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export default defineCommand({
  name: 'check-config',
  summary: 'validate a routing config and warn about its traps',
  usage: '[CONFIG] [--at TIME] [--strict]',
  description:
    'CONFIG is the file to check, like --config. Every error and warning is printed at once, one line each with the ' +
    'file and line (unreachable routes, matchers that can never match, routes that deliver nowhere, expired silences...). ' +
    'Secret references are checked, not resolved: the secrets need not be set. Exits 2 when there is an error ' +
    '(or, with --strict, a warning).',
  examples: ['check-config', 'check-config router.yaml --strict'],
  takesConfig: true,
  options: {
    at: { type: 'string', value: 'TIME', description: 'judge silences as of this RFC 3339 time instead of now' },
    strict: { type: 'boolean', default: false, description: 'treat warnings as errors (exit 2), for CI' },
  },
  async run(ctx) {
    noMoreArgs(ctx, 1);
    const { path: file, source } = await ctx.configPath(ctx.args[0]);
    const now = ctx.values.at === undefined ? new Date() : parseTime(String(ctx.values.at));
    const { config, problems } = await checkConfig(await readConfigText(file), file, { now });
    for (const problem of problems) {
      ctx.print(`${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.level}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`);
    }
    const errors = problems.filter((p) => p.level === 'error').length;
    const warnings = problems.length - errors;
    // No config comes back only with an error among the problems.
    if (!config || errors > 0 || (ctx.values.strict && warnings > 0)) {
      const first = problems[0];
      throw new ConfigError(file, '', `invalid: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} (the first at line ${first?.line ?? '?'})`);
    }
    ctx.note(`using config ${file} (${source})`);
    const targets = Object.values(config.targets);
    ctx.print(
      `${file}: valid: ${targets.length} target(s) (${targets.map((t) => `${t.name}: ${t.type}`).join(', ')}), ` +
        `${countRoutes(config.route)} route(s), ${config.severityRules.length} severity rule(s), ` +
        `${Object.keys(config.timeIntervals).length} time interval(s), ${config.silences.length} silence(s)` +
        (warnings > 0 ? `; ${plural(warnings, 'warning')}` : ''),
    );
    return 0;
  },
});
