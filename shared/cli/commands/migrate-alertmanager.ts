import { readFile, writeFile } from 'node:fs/promises';
import { ConfigError } from '../../model/errors';
import { compileConfig, toError } from '../../route/config';
import { MigrationError, migrateAlertmanager } from '../../route/migrate';
import { defineCommand, noMoreArgs, requireArg } from '../command';
import { InputFileError, checkReadable } from '../events';

export default defineCommand({
  name: 'migrate alertmanager',
  summary: 'convert an Alertmanager configuration into a router.yaml',
  usage: 'FILE [--out ROUTER_YAML]',
  description:
    'Converts the route tree (matchers, match/match_re, continue, mute and active time intervals), the time intervals, and ' +
    'the receivers whose integrations have a target type here (webhook, pagerduty, slack, sns). Label names become ' +
    'labels.<name>, alertname the name field. Secrets become ${env:NAME} references, listed with the setting each replaces. ' +
    'What cannot be converted (inhibit rules, other integrations, grouping) is listed on stderr and at the top of the output. ' +
    'What a route matches is converted exactly or the file is refused (exit 2, nothing written): an invalid matcher, which ' +
    'Alertmanager refuses too, is never dropped, as the route would then take more alerts.',
  examples: ['migrate alertmanager docs/examples/alertmanager.yml', 'migrate alertmanager docs/examples/alertmanager.yml --out /tmp/router.yaml'],
  options: { out: { type: 'string', value: 'ROUTER_YAML', description: 'write the router.yaml there instead of stdout' } },
  async run(ctx) {
    const file = requireArg(ctx, 0, 'FILE (an Alertmanager configuration)');
    noMoreArgs(ctx, 1);
    await checkReadable(file);
    let migration;
    try {
      migration = migrateAlertmanager(await readFile(file, 'utf8'), file);
    } catch (error) {
      if (error instanceof MigrationError) throw new InputFileError(error.message);
      throw error;
    }
    // The output must load: a conversion this command cannot stand behind is a bug, not a result.
    const out = typeof ctx.values.out === 'string' ? ctx.values.out : undefined;
    const { problems } = await compileConfig(migration.yaml, out ?? 'router.yaml', { secrets: 'check' });
    const error = problems.find((p) => p.level === 'error');
    if (error) throw new ConfigError(file, '', `the converted config does not load: ${toError(error).message}`);
    if (out) await writeFile(out, migration.yaml);
    else ctx.print(migration.yaml);
    for (const note of migration.notes) ctx.note(`not converted: ${note}`);
    for (const { name, from } of migration.env) ctx.note(`set ${name}: ${from}`);
    if (out) ctx.note(`wrote ${out}; check it with: npm run -s router -- check-config ${out}`);
    return 0;
  },
});
