// The report as a user sees it: written by the real command, opened in a real browser
// (Debian's Chromium driven by playwright-core, no network), checked for console errors,
// one row per event, the routing tree, the alert and the messages on demand. The screenshot
// is left in out/report.png for a person to look at.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { normalizeEvent } from '../../shared/normalize';
import { ROOT, samples } from '../support/samples';

jest.setTimeout(120_000);

const CHROMIUM = '/usr/bin/chromium';
const OUT = join(ROOT, 'out');
// Its own directory: the README test writes out/report.html at the same time.
const html = join(mkdtempSync(join(tmpdir(), 'report-test-')), 'report.html');
const screenshot = join(OUT, 'report.png');
const secrets = { SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/report-test-secret', JIRA_API_TOKEN: 'report-test-jira-token' };
const folders = ['aws', 'alibaba', 'invalid/aws'];
const files = folders.flatMap((folder) => samples(folder));

let context: BrowserContext;
let page: Page;
const problems: string[] = [];
const requests: string[] = [];
let stdout = '';

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  const result = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'tsx'),
    ['shared/cli/main.ts', 'report', ...folders.map((f) => `events/${f}`), '--config', 'docs/examples/team.yaml', '--out', html, '--at', '2026-12-01T23:00:00Z'],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ROUTER_CONFIG: undefined, ...secrets }, timeout: 60_000 },
  );
  expect(result.stderr).toBe('using config docs/examples/team.yaml (from --config)\n');
  expect(result.status).toBe(0);
  stdout = result.stdout;

  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'report-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(`file://${html}`, { waitUntil: 'load' });
  await page.screenshot({ path: screenshot, fullPage: false });
});

afterAll(async () => {
  await context?.close();
});

describe('report', () => {
  it('says what it wrote', () => {
    const events = files.reduce((n, { value }) => n + (Array.isArray(value) ? value.length : 1), 0);
    expect(stdout).toBe(`${html}: ${events} event(s) from ${files.length} file(s) (${samples('invalid/aws').length} refused), 4 target(s)\n`);
  });

  it('loads with no console error and fetches nothing but itself', () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([`file://${html}`]);
    const text = readFileSync(html, 'utf8');
    expect(text).not.toMatch(/<link|<img|\bsrc=|@import|url\(/);
    for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
  });

  it('has a row for every event file, with the targets each event reaches', async () => {
    const rowFiles = await page.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-file')));
    expect(new Set(rowFiles)).toEqual(new Set(files.map((f) => f.file)));
    const row = page.locator('tbody tr[data-file="events/alibaba/arms-chinese-p1.json"]');
    const routes = await row.locator('td.cell.r').evaluateAll((cells) => cells.map((cell) => cell.classList.contains('sent')));
    // root, routes[0], routes[1]: a critical ARMS alert opens a ticket and goes on to the chat route.
    expect(routes).toEqual([false, true, true]);
    const states = await row.locator('td.cell:not(.r)').evaluateAll((cells) => cells.map((cell) => cell.className.replace('cell ', '')));
    // archive, team-slack, ops-jira, am-bridge
    expect(states).toEqual(['none', 'sent', 'sent', 'sent']);
    const refused = page.locator('tbody tr.refused');
    expect(await refused.count()).toBe(samples('invalid/aws').length);
    await expect(refused.first().textContent()).resolves.toMatch(/refused: invalid event: /);
  });

  it('says why an event is held back or skipped', async () => {
    const muted = page.locator('tbody tr[data-file="events/aws/state-change-muted.json"]');
    expect(await muted.locator('td.held').count()).toBeGreaterThan(0);
    await expect(muted.locator('td.held').first().getAttribute('title')).resolves.toMatch(/muted by arn:aws:cloudwatch:.*says muted: skip/);
    // docs/examples/team.yaml silences PodCrashLooping from 2026-12-01T22:00Z to 2026-12-02T06:00Z.
    const silenced = page.locator('tbody tr[data-file="events/alibaba/arms-group-three-members.json"]');
    await expect(silenced.locator('td.held').first().getAttribute('title')).resolves.toMatch(/silenced by silences\[0\] \(ops@example.com: node pool upgrade, CHG-1234\) until 2026-12-02T06:00:00.000Z/);
    const configEvent = page.locator('tbody tr[data-file="events/aws/config-create-composite.json"]');
    await expect(configEvent.textContent()).resolves.toContain('team-slack skipped: status config-created is not in its statuses');
  });

  it('draws the routing tree, and a click on a route keeps the events it delivers', async () => {
    const nodes = page.locator('svg .node');
    expect(await nodes.count()).toBe(3);
    await page.locator('svg .node[data-route="route.routes[0]"]').click();
    const shown = await page.locator('tbody tr:not(.dim)').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-routes')));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((routes) => routes!.split(' ').includes('route.routes[0]'))).toBe(true);
    await page.locator('svg .node[data-route="route.routes[0]"]').click();
    expect(await page.locator('tbody tr.dim').count()).toBe(0);
  });

  it('shows the normalized alert and the rendered messages on demand', async () => {
    const row = page.locator('tbody tr[data-file="events/alibaba/arms-chinese-p1.json"]');
    const alertJson = row.locator('details', { hasText: 'alert' }).first().locator('pre');
    expect(await alertJson.isVisible()).toBe(false);
    await row.locator('summary', { hasText: 'alert' }).click();
    const raw = JSON.parse(readFileSync(join(ROOT, 'events/alibaba/arms-chinese-p1.json'), 'utf8'));
    expect(JSON.parse((await alertJson.textContent())!)).toMatchObject({ ...normalizeEvent(raw), severity: 'critical' });
    await row.locator('summary', { hasText: 'messages' }).click();
    const messages = await row.locator('.msg').allTextContents();
    expect(messages).toHaveLength(3);
    expect(messages[0]).toMatch(/^team-slack · slack · chat🔥 FIRING · 🔴 CPU使用率过高/);
    expect(messages[0]).toContain('Severity: 🔴 CRITICAL (P1)');
    expect(messages[1]).toMatch(/^ops-jira · jira · ticket\(open\) \[CRITICAL\] CPU使用率过高/);
    expect(messages[2]).toMatch(/^am-bridge · webhook · webhook\{\s+"version": "4"/);
    await page.screenshot({ path: join(OUT, 'report-details.png'), fullPage: false });
  });
});
