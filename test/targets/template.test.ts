import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Mustache from 'mustache';
import { templateRender } from '../../shared/cli/template-render';
import { ConfigError } from '../../shared/model/errors';
import { SEVERITIES, STATUSES } from '../../shared/model/alert';
import { alertColour, measure, renderTemplate, renderView, SEVERITY_STYLE, STATUS_STYLE, templateView, truncate } from '../../shared/targets/template';
import { ROOT } from '../support/samples';
import { slackSettings } from '../../shared/targets/chat/slack';
import { armsAlert, cloudWatchAlert } from './conformance';

describe('templateView', () => {
  it('adds display values: status and severity at a glance, where, when, lists', () => {
    const view = templateView(armsAlert({ status: 'acknowledged', severity: 'warning', actor: { owner: 'a', handler: '李四', operator: null } }));

    expect(view).toMatchObject({
      statusEmoji: '👀',
      statusLabel: 'ACKNOWLEDGED',
      statusUpper: 'ACKNOWLEDGED',
      severityEmoji: '🟡',
      severityLabel: 'WARNING',
      colour: 'purple',
      isAcknowledged: true,
      isFiring: false,
      isConfigChange: false,
      where: 'alibaba 1100000000000 cn-hangzhou',
      time: '2022-06-07T09:23:03.951Z',
      consoleUrl: 'https://arms.console.aliyun.com/#/alarm/alert/detail/12345',
    });
    expect(renderTemplate('{{#labelList}}{{key}}={{value}};{{/labelList}}', armsAlert())).toBe('severity=error;regionId=cn-hangzhou;alertname=Manually triggered alert;');
    expect(renderTemplate('{{actor.handler}}', armsAlert({ actor: { owner: null, handler: '李四', operator: null } }))).toBe('李四');
  });

  it('has an emoji and a label for every status and severity, and a colour for each pair', () => {
    for (const status of STATUSES) {
      expect(STATUS_STYLE[status].emoji).not.toBe('');
      for (const severity of SEVERITIES) expect(['red', 'orange', 'yellow', 'blue', 'green', 'purple', 'grey']).toContain(alertColour({ status, severity }));
    }
    expect(SEVERITIES.map((severity) => alertColour({ status: 'firing', severity }))).toEqual(['red', 'orange', 'yellow', 'blue']);
    expect(SEVERITIES.map((severity) => SEVERITY_STYLE[severity].emoji)).toEqual(['🔴', '🟠', '🟡', '🔵']);
    expect(alertColour({ status: 'resolved', severity: 'critical' })).toBe('green');
  });

  it('details is the description unless it only repeats the summary', () => {
    expect(templateView(armsAlert({ summary: 'same', description: 'same' })).details).toBe('');
    expect(templateView(armsAlert({ summary: 'short', description: 'longer text' })).details).toBe('longer text');
  });

  it('takes extra values, and renders several templates from one view', () => {
    const view = templateView(cloudWatchAlert(), { colourHex: '#D93025' });
    expect(renderView('{{colourHex}} {{name}}', view)).toBe('#D93025 ServerCpuTooHigh');
  });
});

describe('renderTemplate escaping', () => {
  const alert = cloudWatchAlert({ name: '<b>cpu</b> & "disk" 磁盘' });

  it('leaves text as is by default and with none; {{{ }}} never escapes', () => {
    expect(renderTemplate('{{name}}', alert)).toBe('<b>cpu</b> & "disk" 磁盘');
    expect(renderTemplate('{{name}}', alert, { escape: 'none' })).toBe('<b>cpu</b> & "disk" 磁盘');
  });

  it('html escapes as Mustache does; markup only &, < and >', () => {
    expect(renderTemplate('{{name}}', alert, { escape: 'html' })).toBe('&lt;b&gt;cpu&lt;&#x2F;b&gt; &amp; &quot;disk&quot; 磁盘');
    expect(renderTemplate('{{name}} {{{name}}}', alert, { escape: 'markup' })).toBe('&lt;b&gt;cpu&lt;/b&gt; &amp; "disk" 磁盘 <b>cpu</b> & "disk" 磁盘');
    expect(renderTemplate('{{name}}', alert, { escape: (text) => text.toUpperCase() })).toBe('<B>CPU</B> & "DISK" 磁盘');
  });
});

describe('any value of the view renders as text', () => {
  const muted = { by: 'ops-window', startsAt: '2024-01-01T00:00:00.000Z', endsAt: null, active: true };
  const alert = armsAlert({ muted } as never);
  const count = alert.alerts.length;

  it.each(['none', 'html', 'markup'] as const)('booleans, numbers, lists and maps with escape %s, and in {{{ }}}', (escape) => {
    const view = templateView(alert);
    const render = (template: string) => renderView(template, view, { escape });
    expect(render('{{isFiring}} {{isResolved}} {{muted.active}}')).toBe('true false true');
    expect(render('{{alerts.length}}|{{{alerts.length}}}')).toBe(`${count}|${count}`);
    expect(render('{{{resources}}}')).toBe(alert.resources.join(', '));
    expect(JSON.parse(render('{{{labels}}}'))).toEqual(alert.labels);
    expect(render('{{previousStatus}}|{{{endsAt}}}')).toBe('|');
  });

  it('a template that does not parse is a config error at load time, naming the setting', () => {
    const parsed = slackSettings.safeParse({ webhookUrl: 'https://hooks.slack.com/services/T0/B0/x', templates: { body: '{{#isFiring}}open' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]).toMatchObject({ path: ['templates', 'body'], message: expect.stringMatching(/^invalid Mustache template: Unclosed section "isFiring"/) });
  });
});

describe('templates cannot execute code', () => {
  // Each of these reaches a built-in function through the prototype chain of a plain view,
  // which Mustache then calls (or throws from). Against templateView they reach nothing.
  const hostile = [
    '{{constructor}}',
    '{{#constructor}}x{{/constructor}}',
    '{{__proto__.constructor}}',
    '{{__defineGetter__}}',
    '{{#labelList.map}}x{{/labelList.map}}',
    '{{valueOf}}',
    '{{toString}}',
    '{{labels.constructor}}',
    '{{#labelList}}{{constructor}}{{hasOwnProperty}}{{/labelList}}',
    '{{#links}}{{url.constructor}}{{/links}}',
    '{{#labelList.constructor.constructor}}return process.exit(1){{/labelList.constructor.constructor}}',
    '{{#name}}{{constructor}}{{/name}}',
    '{{> partial}}',
  ];

  it.each(hostile)('%s renders nothing', (template) => {
    expect(renderTemplate(template, cloudWatchAlert())).toBe('');
  });

  it('the same templates against a plain object view do reach functions (the danger avoided)', () => {
    const plain = { ...cloudWatchAlert(), labelList: [{ key: 'a', value: 'b' }] };
    const reached = hostile.map((template) => {
      try {
        return Mustache.render(template, plain);
      } catch (err) {
        return `threw: ${(err as Error).message}`;
      }
    });
    expect(reached.filter((output) => output !== '').length).toBeGreaterThanOrEqual(8);
  });

  it('alert data that looks like a template or a key stays data', () => {
    const alert = cloudWatchAlert({ labels: { constructor: '{{#constructor}}' }, name: '{{statusEmoji}}' });
    expect(renderTemplate('{{name}} {{labels.constructor}}', alert)).toBe('{{statusEmoji}} {{#constructor}}');
  });

  it('delimiter changes still only reach data', () => {
    expect(renderTemplate('{{=<% %>=}}<% name %> <% constructor %>', cloudWatchAlert())).toBe('ServerCpuTooHigh ');
  });
});

describe('truncate', () => {
  const mixed = 'ab磁盘🔥c'.repeat(50);

  it.each(['chars', 'bytes', 'json'] as const)('keeps %s limits, ends with an ellipsis, never splits a character', (unit) => {
    for (let max = 1; max <= 60; max += 1) {
      const cut = truncate(mixed, max, unit);
      expect(measure(cut, unit)).toBeLessThanOrEqual(max);
      expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
      if (cut !== '') expect(cut.endsWith('…')).toBe(true);
      expect(mixed.startsWith(cut.slice(0, -1))).toBe(true);
    }
  });

  it('leaves text within the limit untouched', () => {
    expect(truncate('磁盘', 6, 'bytes')).toBe('磁盘');
    expect(truncate('磁盘', 5, 'bytes')).toBe('…');
    expect(truncate('🔥🔥', 4, 'chars')).toBe('🔥🔥');
    expect(truncate('🔥🔥', 3, 'chars')).toBe('🔥…');
  });

  it('counts JSON escapes for json', () => {
    const text = '"\n\\\u0001';
    expect(measure(text, 'json')).toBe(JSON.stringify(text).length - 2);
    expect(truncate('"'.repeat(10), 7, 'json')).toBe('""…');
  });
});

describe('template render command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'template-render-'));
  const config = join(dir, 'router.yaml');
  const env = { TEST_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/templateRenderTest', TEST_WECOM_KEY: 'template-render-wecom-key' };

  beforeAll(() => {
    Object.assign(process.env, env);
    writeFileSync(
      config,
      [
        'version: 1',
        'severity:',
        `  - matchers: ['name=~"ServerCpu.*"']`,
        '    severity: critical',
        'targets:',
        '  team-slack:',
        '    type: slack',
        '    webhookUrl: ${env:TEST_SLACK_WEBHOOK_URL}',
        '    templates:',
        '      header: "{{statusLabel}} {{name}}"',
        '  ops-wecom:',
        '    type: wecom',
        '    key: ${env:TEST_WECOM_KEY}',
        '  archive:',
        '    type: file',
        '    path: out/template-render.jsonl',
        'route:',
        '  targets: [team-slack]',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => {
    for (const key of Object.keys(env)) delete process.env[key];
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the payload of a sample event as pretty JSON, with the config templates and severity rules', async () => {
    const output = await templateRender('team-slack', join(ROOT, 'events/aws/state-change-single-metric.json'), config);

    expect(output).toContain('\n  "blocks": [');
    const message = JSON.parse(output) as { text: string; blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[] };
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'FIRING ServerCpuTooHigh', emoji: true } });
    expect(message.blocks.find((b) => b.fields)!.fields![1]!.text).toBe('*Severity*\n🔴 CRITICAL');
  });

  it('renders each event of a batch file', async () => {
    const output = JSON.parse(await templateRender('ops-wecom', join(ROOT, 'events/alibaba/arms-batch.json'), config)) as { markdown: { content: string } }[];
    const batch = JSON.parse(readFileSync(join(ROOT, 'events/alibaba/arms-batch.json'), 'utf8')) as unknown[];

    expect(Array.isArray(output)).toBe(true);
    expect(output).toHaveLength(batch.length);
    for (const message of output) expect(message.markdown.content).toMatch(/^### /);
  });

  it('refuses an unknown target and a type without templates with a ConfigError', async () => {
    const event = join(ROOT, 'events/aws/state-change-single-metric.json');
    await expect(templateRender('nope', event, config)).rejects.toThrow(ConfigError);
    await expect(templateRender('nope', event, config)).rejects.toThrow(/targets\.nope: is not defined \(targets: team-slack, ops-wecom, archive\)/);
    // A file target has no template: it renders the line it appends, the bare alert.
    expect(JSON.parse(await templateRender('archive', event, config))).toMatchObject({ provider: 'aws.cloudwatch', severity: 'critical' });
  });
});
