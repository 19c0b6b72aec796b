// docs/configuration.md must not lie: its full example loads, routes as its text says, and
// `routes show` prints the tree the page shows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeEvent } from '../../shared/normalize';
import type { Alert } from '../../shared/model/alert';
import { parseConfig } from '../../shared/route/config';
import { applySeverityRules } from '../../shared/route/severity';
import { formatRouteTree, routeTargets } from '../../shared/route/tree';
import type { RouterConfig } from '../../shared/route/types';
import { eventsOf, samples } from '../support/samples';

const page = readFileSync(join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
const block = (fence: string, after: string): string => {
  const start = page.indexOf(`\`\`\`${fence}\n`, page.indexOf(after)) + fence.length + 4;
  return page.slice(start, page.indexOf('```', start));
};

const ENV = {
  OPS_HOOK_SECRET: 'whsec-docs-0123456789abcdef',
  OPS_HOOK_TOKEN: 'token-docs-0123456789',
  DB_PAGERDUTY_KEY: 'R0UT1NGKEY0123456789ABCDEFGHIJKL',
};

const first = (folder: string, file: string): Alert =>
  normalizeEvent(eventsOf(samples(folder).find((s) => s.file.endsWith(file))!)[0]);
const aws = first('aws', 'state-change-single-metric.json');

let config: RouterConfig;
beforeAll(async () => {
  config = await parseConfig(block('yaml', '## A full example'), 'docs/configuration.md', ENV);
});

const where = (alert: Alert) => routeTargets(config.route, applySeverityRules(alert, config.severityRules)).targets;

it('routes an AWS critical alert of the db team to the hook and the pager', () => {
  expect(where({ ...aws, severity: 'critical', labels: { team: 'db' } })).toEqual(['ops-hook', 'db-pager']);
});

it('sends an AWS warning to the root target', () => {
  expect(where({ ...aws, severity: 'warning' })).toEqual(['local-file']);
});

it('applies the severity rules of the example', () => {
  expect(applySeverityRules({ ...aws, name: 'Orders-Critical' }, config.severityRules).severity).toBe('critical');
  expect(applySeverityRules({ ...aws, labels: { Stage: 'dev' } }, config.severityRules).severity).toBe('info');
});

it('prints the tree shown on the page', () => {
  expect(formatRouteTree(config.route)).toBe(block('', '`routes show` prints the tree').trimEnd());
});

describe('the README example', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf('```yaml\n', readme.indexOf('## Configuration')) + '```yaml\n'.length;
  const text = readme.slice(start, readme.indexOf('```', start));

  it('loads, and sends CloudWatch critical alarms to the pager as well as the file', async () => {
    const readmeConfig = await parseConfig(text, 'README.md', { PAGERDUTY_ROUTING_KEY: 'R0UT1NGKEY0123456789ABCDEFGHIJKL' });
    const critical = { ...aws, name: 'DatabaseCritical' };
    const plan = (alert: Alert) => routeTargets(readmeConfig.route, applySeverityRules(alert, readmeConfig.severityRules)).targets;
    expect(plan(critical)).toEqual(['oncall', 'local-file']);
    expect(plan({ ...aws, severity: 'warning' })).toEqual(['local-file']);
  });
});
