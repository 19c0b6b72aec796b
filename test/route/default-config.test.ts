// The embedded default router.yaml: it loads without any environment, validates against the
// published router.schema.json, and routes the sample events as its comments say.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { normalizeEvent } from '../../shared/normalize';
import { loadConfig } from '../../shared/route/config';
import { applySeverityRules } from '../../shared/route/severity';
import { routeTargets } from '../../shared/route/tree';
import type { RouterConfig } from '../../shared/route/types';
import { eventsOf, samples } from '../support/samples';

const ROOT = join(__dirname, '..', '..');
const FILE = join(ROOT, 'router.yaml');

let config: RouterConfig;
beforeAll(async () => {
  config = await loadConfig(FILE, {});
});

function raw(folder: string, file: string): Record<string, unknown> {
  return structuredClone(eventsOf(samples(folder).find((s) => s.file.endsWith(file))!)[0]) as Record<string, unknown>;
}

/** The targets an event reaches after enrichment, as `routes test` shows them. */
function targetsOf(event: unknown): { severity: string; targets: string[] } {
  const alert = applySeverityRules(normalizeEvent(event), config.severityRules);
  return { severity: alert.severity, targets: routeTargets(config.route, alert).targets };
}

/** A CloudWatch sample event of the given alarm name. */
function alarm(file: string, name: string): unknown {
  const event = raw('aws', file);
  (event.detail as Record<string, unknown>).alarmName = name;
  return event;
}

describe('router.yaml', () => {
  it('loads with no environment: a file target at the root and a console for critical alerts', () => {
    expect(Object.values(config.targets).map(({ name, type }) => [name, type])).toEqual([
      ['local-file', 'file'],
      ['console', 'console'],
    ]);
    expect(config.targets['local-file']!.settings).toEqual({ path: 'out/alerts.jsonl' });
    expect(config.route.targets).toEqual(['local-file']);
  });

  it('prints critical ARMS alerts and writes every alert to the file', () => {
    expect(targetsOf(raw('alibaba', 'arms-chinese-p1.json'))).toEqual({ severity: 'critical', targets: ['console', 'local-file'] });
    expect(targetsOf(raw('alibaba', 'arms-alarm-create.json'))).toEqual({ severity: 'error', targets: ['local-file'] });
  });

  it('makes CloudWatch alarms named critical critical, their resolve events included', () => {
    const expected = { severity: 'critical', targets: ['console', 'local-file'] };
    expect(targetsOf(alarm('state-change-single-metric.json', 'OrdersApi-Critical-5xx'))).toEqual(expected);
    expect(targetsOf(alarm('state-change-single-metric-resolved.json', 'OrdersApi-Critical-5xx'))).toEqual(expected);
    expect(targetsOf(alarm('state-change-single-metric.json', 'DiskSpaceWarning'))).toEqual({ severity: 'warning', targets: ['local-file'] });
    expect(targetsOf(alarm('state-change-single-metric.json', 'ServerCpuTooHigh'))).toEqual({ severity: 'error', targets: ['local-file'] });
  });
});

describe('router.schema.json', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'router.schema.json'), 'utf8')));
  const valid = (value: unknown) => {
    const ok = validate(value);
    return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
  const document = () => parse(readFileSync(FILE, 'utf8')) as Record<string, Record<string, unknown>>;

  it('accepts router.yaml', () => {
    expect(valid(document())).toEqual([]);
  });

  it('names itself in router.yaml for editors', () => {
    expect(readFileSync(FILE, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./router.schema.json');
  });

  it('refuses what loadConfig refuses: typos, unknown types, root matchers, bad matchers, a bad version', () => {
    const cases: ((doc: ReturnType<typeof document>) => void)[] = [
      (doc) => (doc.route!.contniue = true),
      (doc) => (doc.route!.matchers = ['cloud="aws"']),
      (doc) => ((doc.route!.routes as { matchers: string[] }[])[0]!.matchers = ['labelz.team="db"']),
      (doc) => ((doc.route!.routes as { matchers: string[] }[])[0]!.matchers = ['severity: critical']),
      (doc) => delete doc.route!.targets,
      (doc) => (doc.targets!.console = { type: 'consol' }),
      (doc) => (doc.targets!.console = { type: 'console', colour: 'red' }),
      (doc) => (doc.targets!.console = { type: 'file' }),
      (doc) => (doc.version = 2 as never),
      (doc) => (doc.defaults!.retries = '3'),
    ];
    for (const change of cases) {
      const doc = document();
      change(doc);
      expect(valid(doc)).not.toEqual([]);
    }
  });

  it('accepts secret references in any string setting and requires them for secret keys', () => {
    const withHook = (hook: Record<string, unknown>) => {
      const doc = document();
      doc.targets!.hook = { type: 'webhook', ...hook };
      return valid(doc);
    };
    expect(withHook({ url: 'https://hooks.example.com/a', secret: '${env:OPS_HOOK_SECRET}' })).toEqual([]);
    expect(withHook({ url: '${env:OPS_HOOK_URL}' })).toEqual([]);
    expect(withHook({ url: 'https://hooks.example.com/a', secret: 'a-literal-secret-value' })).not.toEqual([]);
  });
});
