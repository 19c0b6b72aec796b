// The README's "Command line" section is documentation users copy: every command it shows
// is run here as written (through npm, from the repository root), and must succeed with
// output that fits what the line says it prints.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/samples';

jest.setTimeout(120_000);

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Command line'), readme.indexOf('\n## ', readme.indexOf('## Command line') + 1));
const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((block) => block[1]!.split('\n'))
  .map((line) => line.replace(/\s+#\s.*$/, '').trim())
  .filter((line) => line.includes('npm run -s router --'));

// Files the commands write (the file target's out/alerts.jsonl) go to a directory of their own.
const dataDir = mkdtempSync(join(tmpdir(), 'readme-commands-'));

it('shows the commands of the command line', () => {
  for (const name of ['help', 'normalize', 'invoke', 'routes test', 'routes show', 'check-config', 'template render', 'report', 'state list', 'state show']) {
    expect(commands.some((line) => line.includes(`router -- ${name}`))).toBe(true);
  }
});

describe.each(commands)('%s', (line) => {
  it('exits 0 with the output it promises', () => {
    const result = spawnSync('bash', ['-c', line], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ROUTER_CONFIG: undefined, ROUTER_DATA_DIR: dataDir },
      timeout: 90_000,
    });
    expect(result.stderr).not.toMatch(/^router: /m);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).not.toBe('');
    const out = /--out (\S+)/.exec(line)?.[1];
    if (out) {
      expect(existsSync(join(ROOT, out))).toBe(true);
      expect(readFileSync(join(ROOT, out), 'utf8')).toMatch(/^<!doctype html>[\s\S]*<svg [\s\S]*<\/html>\n$/);
    } else if (/ normalize | --json\b/.test(line)) {
      expect(() => JSON.parse(result.stdout)).not.toThrow();
    } else if (/ help$/.test(line)) {
      expect(result.stdout).toMatch(/^Commands:$/m);
    } else if (/ check-config/.test(line)) {
      expect(result.stdout).toMatch(/: valid: /);
    } else if (/ invoke /.test(line)) {
      expect(result.stdout).toMatch(/\d+ event\(s\): \d+ ok, 0 with failed deliveries, 0 refused/);
    }
  });
});
