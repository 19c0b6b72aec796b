// Progress during slow deliveries: the real command against a slow webhook receiver on
// 127.0.0.1 (plain lines, stderr is not a terminal), and the terminal status line with a
// fake clock.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryProgress } from '../../shared/cli/progress';
import { ROOT } from '../support/samples';

jest.setTimeout(60_000);

describe('invoke, with a slow target', () => {
  let server: Server;
  let requests = 0;

  beforeAll(async () => {
    // The first answer comes late and is a 503 (retried); the second comes late too.
    server = createServer((req, res) => {
      requests += 1;
      const first = requests === 1;
      req.resume();
      setTimeout(() => res.writeHead(first ? 503 : 200).end(first ? 'busy' : 'ok'), first ? 1_600 : 1_300);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('says on stderr what it is waiting on, attempt by attempt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-progress-'));
    const config = join(dir, 'router.yaml');
    const { port } = server.address() as AddressInfo;
    writeFileSync(
      config,
      ['version: 1', 'targets:', '  prod-hook:', '    type: webhook', `    url: http://127.0.0.1:${port}/hook`, '    allowInsecureHttp: true', '    allowPrivateNetwork: true', '    retries: 2', '    timeoutMs: 10000', 'route:', '  targets: [prod-hook]'].join('\n'),
    );
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['shared/cli/main.ts', 'invoke', 'events/aws/state-change-single-metric.json', '--config', config], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, deliveries: [{ target: 'prod-hook', outcome: 'delivered', attempts: 2 }] });
    expect(stderr).toMatch(/^events\/aws\/state-change-single-metric\.json: waiting on prod-hook \(attempt 1, \d+\.\d s\)$/m);
    expect(stderr).toMatch(/^events\/aws\/state-change-single-metric\.json: waiting on prod-hook \(attempt 2, \d+\.\d s\)$/m);
    expect(requests).toBe(2);
  });
});

describe('DeliveryProgress on a terminal', () => {
  function terminal() {
    const written: string[] = [];
    const stream = { isTTY: true, columns: 200, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    return { stream, written };
  }
  const line = (record: Record<string, unknown>) => JSON.stringify({ level: 'debug', ...record });

  it('redraws one line naming each slow target and its attempt, and clears it when done', () => {
    let now = 0;
    const { stream, written } = terminal();
    const progress = new DeliveryProgress(stream, () => now);
    progress.start('[2/5] events/a.json');
    progress.stop();
    progress.start('[3/5] events/b.json');
    progress.observe(line({ msg: 'delivery attempt started', target: 'prod-slack', attempt: 1 }));
    progress.observe(line({ msg: 'delivery attempt started', target: 'archive', attempt: 1 }));
    progress.observe(line({ msg: 'delivery attempt', target: 'archive', outcome: 'delivered' }));
    now = 500;
    progress.tick();
    expect(written).toEqual([]);
    now = 2_000;
    progress.observe(line({ msg: 'delivery attempt', target: 'prod-slack', outcome: 'failed' }));
    progress.observe(line({ msg: 'delivery attempt started', target: 'prod-slack', attempt: 2 }));
    now = 6_100;
    progress.tick();
    expect(written).toEqual(['\r\x1b[K[3/5] events/b.json: waiting on prod-slack (attempt 2, 6.1 s)']);
    progress.observe(line({ msg: 'delivery failed', target: 'prod-slack' }));
    progress.tick();
    expect(written.at(-1)).toBe('\r\x1b[K');
    progress.stop();
    expect(written).toHaveLength(2);
  });
});
