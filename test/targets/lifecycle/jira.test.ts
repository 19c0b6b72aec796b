// The jira target against a fake Jira Cloud and a fake Jira Data Center on 127.0.0.1
// (test/support/fakes/jira.ts).
// The full lifecycles driven by the real sample events are in lifecycle.test.ts.
import { deliver } from '../../../shared/dispatch/deliver';
import { createLogger } from '../../../shared/log';
import type { Alert, Status } from '../../../shared/model/alert';
import type { Target, TargetRuntime } from '../../../shared/targets/contract';
import jira, { JIRA_LIMITS, jiraDedupLabel, jiraSettings } from '../../../shared/targets/lifecycle/jira';
import { conformanceService } from '../../support/fakes/fake-service';
import { JIRA_RESOLUTIONS, adfProblem, startFakeJira, type FakeJira, type FakeJiraOptions, type JiraIssue } from '../../support/fakes/jira';
import { armsAlert, cloudWatchAlert, describeConformance } from '../conformance';

const basicSecret = (email: string, token: string) => Buffer.from(`${email}:${token}`).toString('base64');

describeConformance({
  type: 'jira',
  async start() {
    const fake = await startFakeJira();
    const settings = { url: fake.url, allowPrivateNetwork: true, email: fake.email, apiToken: fake.apiToken, project: fake.project };
    return conformanceService(fake.server, settings, [fake.apiToken, basicSecret(fake.email, fake.apiToken)]);
  },
});

describeConformance({
  type: 'jira',
  label: 'jira (datacenter)',
  memory: false,
  async start() {
    const fake = await startFakeJira({ deployment: 'datacenter' });
    const settings = { url: fake.url, allowPrivateNetwork: true, deployment: 'datacenter', apiToken: fake.apiToken, project: fake.project };
    return conformanceService(fake.server, settings, [fake.apiToken]);
  },
});

const log = createLogger({ test: 'jira' });
const runtime: TargetRuntime = { name: 'jira', log, alibabaCredentials: () => undefined };

describe('jira target', () => {
  let fake: FakeJira;
  let counter = 0;

  beforeAll(async () => {
    fake = await startFakeJira();
  });
  afterAll(() => fake.stop());

  const settingsFor = (server: FakeJira, extra: Record<string, unknown> = {}) =>
    jiraSettings.parse({
      url: server.url,
      allowPrivateNetwork: true,
      ...(server.deployment === 'cloud' ? { email: server.email } : { deployment: 'datacenter' }),
      apiToken: server.apiToken,
      project: server.project,
      ...extra,
    });
  const target = (extra: Record<string, unknown> = {}, server = fake): Target => jira.create(settingsFor(server, extra), runtime) as Target;
  const send = (t: Target, alert: Alert, ref?: string) => t.send(alert, { signal: AbortSignal.timeout(5000), attempt: 1, log, ...(ref ? { ref } : {}) });
  /** A fake of its own for one test, stopped after it. */
  const withFake = async (options: FakeJiraOptions, test: (server: FakeJira) => Promise<void>) => {
    const server = await startFakeJira(options);
    try {
      await test(server);
    } finally {
      await server.stop();
    }
  };
  const refOf = (outcome: Awaited<ReturnType<Target['send']>>) => (outcome.outcome === 'delivered' ? outcome.ref : undefined);
  /** A CloudWatch alert of its own alarm, so that tests do not share issues. */
  const alarm = (status: Status = 'firing', overrides: Partial<Alert> = {}) =>
    cloudWatchAlert({ status, dedupKey: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:Jira${++counter}`, ...overrides });
  const issuesOf = (alert: Alert, server = fake): JiraIssue[] => server.issues().filter((issue) => issue.labels.includes(jiraDedupLabel(alert.dedupKey)));

  it('creates an issue: project, type, one-line summary, ADF description with links, labels', async () => {
    const alert = alarm();
    const outcome = await send(target({ labels: ['cloudwatch'], issueType: 'Incident' }), alert);
    const [issue, ...others] = issuesOf(alert);
    expect(others).toEqual([]);
    expect(outcome).toEqual({ outcome: 'delivered', ref: issue?.key, detail: `created ${issue?.key}` });
    expect(issue).toMatchObject({ project: 'OPS', issueType: 'Incident', summary: `[CRITICAL] ${alert.summary}` });
    expect(issue?.labels).toEqual(['cloudwatch', jiraDedupLabel(alert.dedupKey)]);
    expect(issue?.description).toContain('Status: FIRING, severity: CRITICAL');
    expect(issue?.description).toContain('Resource: arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh');
    const consoleUrl = alert.links[0]?.url ?? '';
    expect(JSON.stringify(issue?.descriptionAdf)).toContain(JSON.stringify({ type: 'text', text: consoleUrl, marks: [{ type: 'link', attrs: { href: consoleUrl } }] }));
  });

  it('finds the open issue by its label with bounded JQL', async () => {
    const alert = alarm();
    const t = target();
    await send(t, alert);
    await send(t, alert);
    expect(issuesOf(alert)).toHaveLength(1);
    expect(fake.queries().at(-1)).toBe(`project = "OPS" AND labels = "${jiraDedupLabel(alert.dedupKey)}" AND statusCategory != Done ORDER BY created ASC, key ASC`);
  });

  it('sets extra fields and the priority of the severity', async () => {
    const alert = alarm('firing', { severity: 'warning' });
    await send(target({ fields: { customfield_10001: 'payments' }, priorities: { warning: 'Low' } }), alert);
    expect(issuesOf(alert)[0]?.fields).toMatchObject({ customfield_10001: 'payments', priority: { name: 'Low' } });
  });

  it('keeps the summary within 255 characters on one line, Chinese text included', async () => {
    const alert = alarm('firing', { labels: { alertname: '支付服务 CPU 过高' }, summary: `第一行\n${'告警'.repeat(300)}` });
    expect(await send(target(), alert)).toMatchObject({ outcome: 'delivered' });
    const summary = issuesOf(alert)[0]?.summary ?? '';
    expect(summary.length).toBe(JIRA_LIMITS.summary);
    expect(summary).toMatch(/^\[CRITICAL\] 支付服务 CPU 过高: 第一行 告警/);
  });

  it('comments on acknowledge and note; skips them when no issue is open', async () => {
    const t = target();
    const alert = armsAlert({ dedupKey: `arms-${++counter}` });
    const actor = { owner: 'li', handler: 'wang', operator: 'zhang' };
    expect(await send(t, { ...alert, status: 'acknowledged', actor })).toMatchObject({ outcome: 'skipped' });
    expect(issuesOf(alert)).toEqual([]);

    await send(t, alert);
    await send(t, { ...alert, status: 'acknowledged', actor });
    await send(t, { ...alert, status: 'commented', comment: '已确认，正在处理', actor });
    expect(issuesOf(alert)[0]?.comments).toEqual([`ACKNOWLEDGED by wang: ${alert.summary}`, 'COMMENTED by zhang: 已确认，正在处理']);
  });

  it('resolves with the solution as a comment and the Done transition; a repeated resolve is skipped', async () => {
    const t = target();
    const alert = armsAlert({ dedupKey: `arms-${++counter}` });
    await send(t, alert);
    const resolved = { ...alert, status: 'resolved' as const, solution: 'Restarted the pod', actor: { owner: null, handler: null, operator: 'zhang' } };
    expect(await send(t, resolved)).toMatchObject({ outcome: 'delivered' });
    expect(await send(t, resolved)).toMatchObject({ outcome: 'skipped' });
    const [issue] = issuesOf(alert);
    expect(issue).toMatchObject({ status: { category: 'done' }, transitions: ['Done'], comments: ['RESOLVED by zhang: Restarted the pod'] });
    expect(issue?.resolved).toEqual(expect.any(Number));
  });

  it('creates anew after resolution by default (reopenWindow 0)', async () => {
    const t = target();
    const alert = alarm();
    await send(t, alert);
    await send(t, { ...alert, status: 'resolved' });
    await send(t, alert);
    expect(issuesOf(alert).map((issue) => issue.status.category)).toEqual(['done', 'new']);
  });

  it('reopens the issue resolved within reopenWindow instead of creating', async () => {
    const t = target({ reopenWindow: 30 });
    const alert = alarm();
    await send(t, alert);
    await send(t, { ...alert, status: 'resolved' });
    expect(await send(t, alert)).toMatchObject({ outcome: 'delivered', detail: expect.stringMatching(/^reopened OPS-\d+$/) });
    const [issue, ...others] = issuesOf(alert);
    expect(others).toEqual([]);
    expect(issue).toMatchObject({ status: { category: 'new' }, transitions: ['Done', 'To Do'] });
    expect(issue?.comments.at(-1)).toBe(`FIRING again: ${alert.summary}`);
    expect(fake.queries()).toContain(`project = "OPS" AND labels = "${jiraDedupLabel(alert.dedupKey)}" AND statusCategory = Done AND resolved >= "-30m" ORDER BY resolved DESC`);
  });

  it('reopens with the configured reopenTransition', async () => {
    const t = target({ reopenWindow: 5, reopenTransition: 'in progress' });
    const alert = alarm();
    await send(t, alert);
    await send(t, { ...alert, status: 'resolved' });
    await send(t, alert);
    expect(issuesOf(alert)).toEqual([expect.objectContaining({ status: expect.objectContaining({ name: 'In Progress' }), transitions: ['Done', 'In Progress'] })]);
  });

  it('fails for good, naming the choices, when the resolve transition does not exist', async () => {
    const t = target({ resolveTransition: 'Close Issue' });
    const alert = alarm();
    await send(t, alert);
    expect(await send(t, { ...alert, status: 'resolved' })).toEqual({
      outcome: 'failed',
      retryable: false,
      detail: expect.stringMatching(/transition "Close Issue" not available on OPS-\d+ \(available: In Progress, Done\)/),
    });
  });

  it('remembers the issue it created while the search index lags', async () => {
    const lagging = await startFakeJira({ indexLagMs: 60_000 });
    try {
      const t = target({}, lagging);
      const alert = alarm();
      await send(t, alert);
      expect(await send(t, alert)).toMatchObject({ outcome: 'delivered', detail: expect.stringMatching(/already open/) });
      expect(await send(t, { ...alert, status: 'resolved' })).toMatchObject({ outcome: 'delivered' });
      expect(issuesOf(alert, lagging)).toEqual([expect.objectContaining({ status: expect.objectContaining({ category: 'done' }) })]);
    } finally {
      await lagging.stop();
    }
  });

  it('converges when two deliveries of one firing race past the search: the newer issue closes itself', async () => {
    const alert = alarm();
    fake.holdQueries(2);
    const outcomes = await Promise.all([send(target(), alert), send(target(), alert)]);
    const issues = issuesOf(alert);
    expect(issues).toHaveLength(2);
    const [oldest, newer] = issues as [JiraIssue, JiraIssue];
    expect(oldest.status.category).toBe('new');
    expect(newer).toMatchObject({ status: { category: 'done' }, comments: [`Duplicate of ${oldest.key}: the same alert was delivered twice at the same time.`] });
    expect(outcomes.map((outcome) => outcome.outcome === 'delivered' && outcome.ref)).toEqual([oldest.key, oldest.key]);
  });

  it('retries through deliver() after a lost create response and still has one issue', async () => {
    const alert = alarm();
    // search, then the create whose response is lost: the attempt times out and is retried.
    fake.server.nextResponses('ok', 'lost');
    const [result] = await deliver(alert, [{ name: 'jira', type: 'jira', target: target(), policy: { timeoutMs: 500, retries: 2 } }], { log, random: () => 0 });
    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2, detail: expect.stringMatching(/already open/) });
    expect(issuesOf(alert)).toHaveLength(1);
  });

  it('keeps the credentials out of a refused request', async () => {
    const t = target({ apiToken: 'wrong-token-abcdef' });
    const outcome = await send(t, alarm());
    expect(outcome).toMatchObject({ outcome: 'failed', retryable: false, detail: expect.stringMatching(/^search issues: HTTP 401/) });
    expect(JSON.stringify(outcome)).not.toContain('wrong-token-abcdef');
    expect(JSON.stringify(outcome)).not.toContain(basicSecret(fake.email, 'wrong-token-abcdef'));
  });

  describe('transitions whose screen requires fields', () => {
    const resolutionScreen = { key: 'resolution', name: 'Resolution', required: true, allowedValues: JIRA_RESOLUTIONS };

    it('the fake refuses such a transition without them, with Jira\'s error body', async () => {
      await withFake({ doneScreen: [resolutionScreen] }, async (server) => {
        const alert = alarm();
        await send(target({}, server), alert);
        const [issue] = issuesOf(alert, server) as [JiraIssue];
        const auth = `Basic ${basicSecret(server.email, server.apiToken)}`;
        const post = (body: object) =>
          fetch(`${server.url}/rest/api/3/issue/${issue.key}/transitions`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const missing = await post({ transition: { id: '31' } });
        expect([missing.status, await missing.json()]).toEqual([400, { errorMessages: [], errors: { resolution: 'Resolution is required.' } }]);
        const unknown = await post({ transition: { id: '99' } });
        expect([unknown.status, await unknown.json()]).toEqual([400, { errorMessages: ["Transition id '99' is not valid for this issue."], errors: {} }]);
        const offScreen = await post({ transition: { id: '21' }, fields: { resolution: { name: 'Done' } } });
        expect(await offScreen.json()).toEqual({ errorMessages: [], errors: { resolution: "Field 'resolution' cannot be set. It is not on the appropriate screen, or unknown." } });
      });
    });

    it('sets resolution Done by default when the Done transition requires one, by its id', async () => {
      await withFake({ doneScreen: [resolutionScreen] }, async (server) => {
        const t = target({}, server);
        const alert = alarm();
        await send(t, alert);
        expect(await send(t, { ...alert, status: 'resolved' })).toMatchObject({ outcome: 'delivered' });
        const [issue] = issuesOf(alert, server);
        expect(issue).toMatchObject({ status: { category: 'done' }, resolution: 'Done', transitionFields: [{ resolution: { id: '10000' } }] });
      });
    });

    it('sets the configured resolution and resolveFields that are on the screen, leaving out the others', async () => {
      const cause = { key: 'customfield_10050', name: 'Root cause', required: true, allowedValues: ['Capacity', 'Bug'] };
      await withFake({ doneScreen: [resolutionScreen, cause] }, async (server) => {
        const t = target({ resolution: "won't do", resolveFields: { customfield_10050: { value: 'Capacity' }, customfield_99999: 'not on the screen' } }, server);
        const alert = alarm();
        await send(t, alert);
        expect(await send(t, { ...alert, status: 'resolved' })).toMatchObject({ outcome: 'delivered' });
        expect(issuesOf(alert, server)[0]).toMatchObject({ resolution: "Won't Do", transitionFields: [{ resolution: { id: '10001' }, customfield_10050: { value: 'Capacity' } }] });
      });
    });

    it('fails for good, naming the required field and the setting, before Jira refuses the transition', async () => {
      const cause = { key: 'customfield_10050', name: 'Root cause', required: true };
      await withFake({ doneScreen: [cause] }, async (server) => {
        const t = target({}, server);
        const alert = alarm();
        await send(t, alert);
        const transitionsBefore = server.server.received.filter((req) => req.method === 'POST' && req.path.endsWith('/transitions')).length;
        expect(await send(t, { ...alert, status: 'resolved' })).toEqual({
          outcome: 'failed',
          retryable: false,
          detail: expect.stringMatching(/^transition "Done" on OPS-\d+ requires Root cause \(customfield_10050\): set it in resolveFields$/),
        });
        expect(server.server.received.filter((req) => req.method === 'POST' && req.path.endsWith('/transitions')).length).toBe(transitionsBefore);
      });
    });

    it('fails for good, listing the resolutions, when Done is not one and none is configured, or the configured one is unknown', async () => {
      await withFake({ doneScreen: [{ ...resolutionScreen, allowedValues: ['Fixed', "Won't Fix"] }] }, async (server) => {
        const alert = alarm();
        await send(target({}, server), alert);
        expect(await send(target({}, server), { ...alert, status: 'resolved' })).toMatchObject({
          outcome: 'failed',
          retryable: false,
          detail: expect.stringMatching(/requires a resolution and offers no "Done": set resolution to one of Fixed, Won't Fix$/),
        });
        expect(await send(target({ resolution: 'Solved' }, server), { ...alert, status: 'resolved' })).toMatchObject({
          outcome: 'failed',
          retryable: false,
          detail: expect.stringMatching(/resolution "Solved" is not one of its resolutions \(Fixed, Won't Fix\)$/),
        });
        expect(await send(target({ resolution: 'fixed' }, server), { ...alert, status: 'resolved' })).toMatchObject({ outcome: 'delivered' });
        expect(issuesOf(alert, server)[0]).toMatchObject({ resolution: 'Fixed' });
      });
    });

    it('sends no fields to a transition without a screen (Jira refuses them there)', async () => {
      const t = target({ resolution: 'Done', resolveFields: { customfield_10050: { value: 'x' } } });
      const alert = alarm();
      await send(t, alert);
      expect(await send(t, { ...alert, status: 'resolved' })).toMatchObject({ outcome: 'delivered' });
      expect(issuesOf(alert)[0]).toMatchObject({ resolution: 'Done', transitionFields: [{}] });
    });
  });

  describe('Data Center (REST API v2, personal access token)', () => {
    let dc: FakeJira;
    beforeAll(async () => {
      dc = await startFakeJira({ deployment: 'datacenter', doneScreen: [{ key: 'resolution', name: 'Resolution', required: true, allowedValues: JIRA_RESOLUTIONS }] });
    });
    afterAll(() => dc.stop());

    it('creates, comments and resolves with plain-text fields, a bearer token, and the v2 search', async () => {
      const t = target({}, dc);
      const alert = armsAlert({ dedupKey: `arms-dc-${++counter}` });
      const created = await send(t, alert);
      await send(t, { ...alert, status: 'acknowledged', actor: { owner: null, handler: 'wang', operator: null } });
      await send(t, { ...alert, status: 'resolved', solution: 'Restarted the pod' });
      const [issue, ...others] = issuesOf(alert, dc);
      expect(others).toEqual([]);
      expect(created).toEqual({ outcome: 'delivered', ref: issue?.key, detail: `created ${issue?.key}` });
      expect(typeof issue?.descriptionAdf).toBe('string');
      expect(issue?.description).toContain('Status: FIRING');
      expect(issue).toMatchObject({ status: { category: 'done' }, resolution: 'Done', comments: [`ACKNOWLEDGED by wang: ${alert.summary}`, 'RESOLVED: Restarted the pod'] });
      expect(dc.server.received.every((req) => req.path.startsWith('/rest/api/2/') && req.headers.authorization === `Bearer ${dc.apiToken}`)).toBe(true);
      expect(dc.server.received.some((req) => req.path === '/rest/api/2/search')).toBe(true);
    });

    it('is refused with Cloud credentials or a Cloud body: the fake speaks only v2 with a bearer token', async () => {
      const cloudTarget = jira.create(jiraSettings.parse({ url: dc.url, allowPrivateNetwork: true, email: 'a@example.com', apiToken: dc.apiToken, project: 'OPS' }), runtime) as Target;
      expect(await send(cloudTarget, alarm())).toMatchObject({ outcome: 'failed', retryable: false, detail: expect.stringMatching(/^search issues: HTTP 401/) });
      const adf = await fetch(`${dc.url}/rest/api/2/issue`, {
        method: 'POST',
        headers: { authorization: `Bearer ${dc.apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ fields: { project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary: 's', description: { type: 'doc', version: 1, content: [] } } }),
      });
      expect(await adf.json()).toEqual({ errorMessages: [], errors: { description: 'Operation value must be a string' } });
    });

    it('keeps the personal access token out of a refused request', async () => {
      const outcome = await send(target({ apiToken: 'wrong-pat-0123456789abcdef' }, dc), alarm());
      expect(outcome).toMatchObject({ outcome: 'failed', retryable: false });
      expect(JSON.stringify(outcome)).not.toContain('wrong-pat-0123456789abcdef');
    });

    it('render() shows plain-text fields', () => {
      const settings = jiraSettings.parse({ url: 'https://jira.example.com', deployment: 'datacenter', apiToken: 'pat', project: 'OPS' });
      const preview = jira.render?.(armsAlert(), settings) as { create: { fields: Record<string, unknown> } };
      expect(typeof preview.create.fields.description).toBe('string');
    });
  });

  describe('the stored issue key (ctx.ref)', () => {
    /** JQL searches the fake received from now on. */
    const searchesFrom = (server: FakeJira) => {
      const before = server.queries().length;
      return () => server.queries().length - before;
    };

    it('a later event with the key reads that issue and makes no search', async () => {
      const t = target();
      const alert = alarm();
      const ref = refOf(await send(t, alert));
      expect(ref).toMatch(/^OPS-\d+$/);
      const searches = searchesFrom(fake);
      expect(await send(t, alert, ref)).toEqual({ outcome: 'delivered', ref, detail: `issue ${ref} already open` });
      expect(await send(t, { ...alert, status: 'insufficient-data' }, ref)).toEqual({ outcome: 'delivered', ref, detail: `commented on ${ref}` });
      expect(await send(t, { ...alert, status: 'resolved' }, ref)).toEqual({ outcome: 'delivered', ref, detail: `resolved ${ref}` });
      expect(searches()).toBe(0);
      expect(issuesOf(alert)).toEqual([expect.objectContaining({ key: ref, status: expect.objectContaining({ category: 'done' }) })]);
    });

    it('a firing after its issue was resolved opens a new one (no search before the create), or reopens it within reopenWindow', async () => {
      const alert = alarm();
      const t = target();
      const first = refOf(await send(t, alert));
      await send(t, { ...alert, status: 'resolved' }, first);
      const searches = searchesFrom(fake);
      const second = await send(t, alert, first);
      expect(second).toMatchObject({ outcome: 'delivered', detail: expect.stringMatching(/^created OPS-\d+$/) });
      expect(refOf(second)).not.toBe(first);
      // Only the check for a concurrent duplicate after the create.
      expect(searches()).toBe(1);

      const reopening = target({ reopenWindow: 30 });
      const third = refOf(second);
      await send(reopening, { ...alert, status: 'resolved' }, third);
      expect(await send(reopening, alert, third)).toEqual({ outcome: 'delivered', ref: third, detail: `reopened ${third}` });
    });

    it('falls back to the search when the stored issue is gone, and says so', async () => {
      const t = target();
      const alert = alarm();
      const ref = refOf(await send(t, alert)) as string;
      fake.deleteIssue(ref);
      const searches = searchesFrom(fake);
      const again = await send(t, alert, ref);
      expect(again).toMatchObject({ outcome: 'delivered', detail: expect.stringMatching(new RegExp(`^stored issue ${ref} not found, searched: created OPS-\\d+$`)) });
      expect(searches()).toBeGreaterThan(0);
      const current = refOf(again) as string;
      expect(current).not.toBe(ref);
      expect(await send(t, { ...alert, status: 'resolved' }, ref)).toEqual({ outcome: 'delivered', ref: current, detail: `stored issue ${ref} not found, searched: resolved ${current}` });
    });

    it('falls back to the search when the stored issue was resolved by hand', async () => {
      const t = target();
      const alert = alarm();
      const ref = refOf(await send(t, alert)) as string;
      await send(t, { ...alert, status: 'resolved' }, ref);
      expect(await send(t, { ...alert, status: 'acknowledged' }, ref)).toEqual({
        outcome: 'skipped',
        detail: `stored issue ${ref} already resolved, searched: no open issue labelled ${jiraDedupLabel(alert.dedupKey)}`,
      });
    });
  });

  it('validates its settings', () => {
    const base = { url: 'https://example.atlassian.net', email: 'a@example.com', apiToken: 't', project: 'OPS' };
    expect(jiraSettings.parse(base)).toMatchObject({ issueType: 'Task', resolveTransition: 'Done', reopenWindow: 0, labels: [] });
    expect(jiraSettings.safeParse({ ...base, url: 'http://example.atlassian.net' }).success).toBe(false);
    expect(jiraSettings.safeParse({ ...base, project: 'ops' }).success).toBe(false);
    expect(jiraSettings.safeParse({ ...base, labels: ['two words'] }).success).toBe(false);
    expect(jiraSettings.safeParse({ ...base, fields: { summary: 'x' } }).success).toBe(false);
    expect(jiraSettings.safeParse({ ...base, reopenWindow: -1 }).success).toBe(false);
    expect(jiraSettings.safeParse({ ...base, templates: { sumary: 'x' } }).success).toBe(false);
    expect(jiraSettings.safeParse({ ...base, email: undefined }).success).toBe(false);
    expect(jiraSettings.safeParse({ ...base, deployment: 'datacenter' }).success).toBe(false);
    expect(jiraSettings.safeParse({ ...base, email: undefined, deployment: 'datacenter' }).success).toBe(true);
    expect(jiraSettings.safeParse({ ...base, deployment: 'server' }).success).toBe(false);
    expect(jiraSettings.safeParse({ ...base, resolveFields: { resolution: { name: 'Done' } } }).success).toBe(false);
  });

  it('render() shows the issue it would create, as valid ADF', () => {
    const settings = jiraSettings.parse({ url: 'https://example.atlassian.net', email: 'a@example.com', apiToken: 'secret-token', project: 'OPS' });
    const preview = jira.render?.(armsAlert(), settings) as { create: { fields: Record<string, unknown> } };
    expect(preview).toMatchObject({ action: 'open', label: jiraDedupLabel(armsAlert().dedupKey) });
    expect(adfProblem(preview.create.fields.description)).toBeUndefined();
    expect(JSON.stringify(preview)).not.toContain('secret-token');
    expect(jira.render?.(armsAlert({ status: 'resolved' }), settings)).toMatchObject({ action: 'resolve', transition: 'Done' });
  });
});
