import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { defineCommand, UsageError } from '../command';
import { listEventFiles } from '../events';
import { buildReport, reportHtml } from '../report';

const DEFAULT_INPUTS = ['events/aws', 'events/alibaba'];

export default defineCommand({
  name: 'report',
  summary: 'write one HTML page: the routing tree, where each event goes and why, what each target would send',
  usage: '[FILE|DIR...] --out FILE.html',
  description:
    `Events default to ${DEFAULT_INPUTS.join(' and ')}. The page is self-contained (no network): open it in any browser.\n` +
    'Nothing is sent. Secret references of the config must resolve (any value will do).',
  examples: ['report --out out/report.html', 'report events/aws/state-change-muted.json events/alibaba --out out/report.html --at 2026-12-01T23:00:00Z'],
  takesConfig: true,
  options: {
    out: { type: 'string', value: 'FILE', description: 'the HTML file to write (required)' },
    at: { type: 'string', value: 'TIME', description: 'judge silences and time intervals at this RFC 3339 time (default: now)' },
  },
  async run(ctx) {
    const out = ctx.values.out;
    if (typeof out !== 'string' || !out) throw new UsageError('missing --out FILE.html');
    const at = ctx.values.at === undefined ? new Date() : new Date(String(ctx.values.at));
    if (Number.isNaN(at.getTime())) throw new UsageError(`--at: expected a time like 2026-12-01T23:00:00Z, got ${ctx.values.at}`);
    const files = await listEventFiles(ctx.args.length ? ctx.args : DEFAULT_INPUTS);
    const config = await ctx.loadConfig();
    const data = await buildReport(files, config, at);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, reportHtml(data), 'utf8');
    const refused = data.rows.filter((row) => row.error).length;
    ctx.print(`${out}: ${data.rows.length} event(s) from ${files.length} file(s)${refused ? ` (${refused} refused)` : ''}, ${Object.keys(config.targets).length} target(s)`);
    return 0;
  },
});
