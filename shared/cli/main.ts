// The local command line (`npm run -s router -- COMMAND`). Its commands, output and exit
// codes are a public contract (README "Command line"): 0 success, 1 a delivery failed,
// 2 invalid input or config, with one line on stderr and no stack trace unless --debug.
import { parseArgs } from 'node:util';
import { RouterError } from '../model/errors';
import { setLogSink } from '../log';
import { normalizeEvent } from '../normalize';
import { loadConfig } from '../route/config';
import { formatRouteTree } from '../route/tree';
import { planAlert, isRefused } from '../runtime/pipeline';
import { InputFileError, listEventFiles, readEventFile } from './events';
import { invokeFile, type FileResult } from './invoke';
import { renderTable } from './table';
import { templateRender } from './template-render';

const USAGE = `Usage: npm run -s router -- COMMAND [options]

Commands:
  normalize FILE               print the normalized alert(s) of an event file as JSON
  invoke FILE|DIR...           run each event through its handler, as its runtime would, and deliver it
  routes test FILE             show which targets each alert of an event file reaches (nothing is sent)
  routes show                  print the routing tree
  check-config [FILE]          validate a routing config (default: ROUTER_CONFIG or router.yaml)
  template render TARGET FILE  show the message a target would send for an event

Options:
  --config FILE    routing config (default: $ROUTER_CONFIG, else ./router.yaml)
  --json           invoke, routes test: machine-readable JSON output
  --timeout SEC    invoke: the function timeout to emulate (default 30)
  --verbose        write the handlers' JSON log lines to stderr
  --debug          print stack traces of unexpected errors
  -h, --help       this text

Exit codes: 0 success, 1 one or more deliveries failed, 2 invalid input or config.`;

class UsageError extends Error {}

const print = (text: string) => process.stdout.write(text.endsWith('\n') ? text : text + '\n');
const json = (value: unknown) => print(JSON.stringify(value, null, 2));

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '30' },
      verbose: { type: 'boolean', default: false },
      debug: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length === 0) {
    print(USAGE);
    return values.help ? 0 : 2;
  }
  if (values.config) process.env.ROUTER_CONFIG = values.config;
  // The handlers log JSON lines to stdout on the platforms; here stdout carries the
  // command's own output, so logs go to stderr on request only.
  setLogSink(values.verbose ? (line) => process.stderr.write(line + '\n') : () => undefined);

  const [command, ...args] = positionals;
  const arg = (index: number, name: string) => {
    const value = args[index];
    if (value === undefined) throw new UsageError(`${command}: missing ${name}`);
    return value;
  };
  switch (command) {
    case 'normalize': {
      const value = await readEventFile(arg(0, 'FILE'));
      json(Array.isArray(value) ? value.map((event) => normalizeEvent(event)) : normalizeEvent(value));
      return 0;
    }
    case 'invoke': {
      if (args.length === 0) throw new UsageError('invoke: missing FILE or DIR');
      const timeout = Number(values.timeout);
      if (!(timeout > 0)) throw new UsageError(`--timeout: expected a number of seconds, got ${values.timeout}`);
      return invoke(args, timeout * 1000, values.json);
    }
    case 'routes': {
      const sub = arg(0, 'subcommand (test or show)');
      const config = await loadConfig();
      if (sub === 'show') {
        print(formatRouteTree(config.route));
        return 0;
      }
      if (sub !== 'test') throw new UsageError(`routes: unknown subcommand ${sub} (expected test or show)`);
      const value = await readEventFile(arg(1, 'FILE'));
      const plans = (Array.isArray(value) ? value : [value]).map((event) => planAlert(normalizeEvent(event), config));
      if (values.json) {
        json(
          plans.map((plan) => ({
            alert: { id: plan.alert.id, name: plan.alert.name, status: plan.alert.status, severity: plan.alert.severity },
            targets: plan.targets,
            held: plan.held,
            routes: plan.routes.map((route) => route.path),
          })),
        );
      } else {
        for (const plan of plans) {
          print(plan.targets.map((name) => (plan.held.some((held) => held.target === name) ? `${name} (held back)` : name)).join(','));
        }
      }
      return 0;
    }
    case 'check-config': {
      const config = await loadConfig(args[0]);
      const targets = Object.values(config.targets);
      let routes = 0;
      const count = (route: typeof config.route): void => {
        routes += 1;
        route.routes.forEach(count);
      };
      count(config.route);
      print(
        `${config.file}: valid: ${targets.length} target(s) (${targets.map((t) => `${t.name}: ${t.type}`).join(', ')}), ` +
          `${routes} route(s), ${config.severityRules.length} severity rule(s)`,
      );
      return 0;
    }
    case 'template': {
      const sub = arg(0, 'subcommand (render)');
      if (sub !== 'render') throw new UsageError(`template: unknown subcommand ${sub} (expected render)`);
      print(await templateRender(arg(1, 'TARGET'), arg(2, 'FILE'), values.config));
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

async function invoke(paths: string[], timeoutMs: number, asJson: boolean): Promise<number> {
  const files = await listEventFiles(paths);
  const results: FileResult[] = [];
  const many = files.length > 1;
  for (const [index, file] of files.entries()) {
    const result = await invokeFile(file, timeoutMs);
    results.push(result);
    if (many && !asJson) process.stderr.write(`[${index + 1}/${files.length}] ${file}: ${verdict(result)}\n`);
  }
  if (asJson || !many) json(many ? results : results[0]!.reports.length === 1 ? results[0]!.reports[0] : results[0]!.reports);
  else print(summary(results));
  const reports = results.flatMap((result) => result.reports);
  if (reports.some(isRefused)) return 2;
  return reports.some((report) => !report.ok) ? 1 : 0;
}

function verdict(result: FileResult): string {
  const refused = result.reports.filter(isRefused);
  if (refused.length) return `refused (${refused[0]!.error.message})`;
  return result.reports.every((report) => report.ok) ? 'ok' : 'delivery failed';
}

function summary(results: FileResult[]): string {
  const rows: string[][] = [];
  const counts = { delivered: 0, skipped: 0, failed: 0 };
  for (const result of results) {
    for (const report of result.reports) {
      if (isRefused(report)) {
        rows.push([result.file, '-', '-', '-', '-', `REFUSED: ${report.error.message}`]);
        continue;
      }
      for (const delivery of report.deliveries) counts[delivery.outcome] += 1;
      rows.push([
        result.file,
        report.name,
        report.status,
        report.severity,
        report.deliveries.map((d) => `${d.target}:${d.outcome}`).join(' ') || '(no target)',
        report.ok ? 'ok' : 'FAILED',
      ]);
    }
  }
  const reports = results.flatMap((result) => result.reports);
  const refused = reports.filter(isRefused).length;
  const failed = reports.filter((report) => !report.ok).length - refused;
  return [
    renderTable(['event file', 'alert', 'status', 'severity', 'deliveries', 'result'], rows, { 0: 48, 1: 32, 5: 60 }),
    '',
    `${reports.length} event(s): ${reports.length - failed - refused} ok, ${failed} with failed deliveries, ${refused} refused; ` +
      `deliveries: ${counts.delivered} delivered, ${counts.skipped} skipped, ${counts.failed} failed`,
  ].join('\n');
}

/** Maps an error to its one-line message and exit code. */
export function describeError(error: unknown): { message: string; code: number } {
  if (error instanceof RouterError || error instanceof InputFileError) return { message: error.message, code: 2 };
  if (error instanceof UsageError) return { message: `${error.message}\n\n${USAGE}`, code: 2 };
  if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    return { message: `${error.message}\n\n${USAGE}`, code: 2 };
  }
  return { message: `unexpected error: ${(error as Error)?.message ?? String(error)} (run with --debug for details)`, code: 1 };
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const { message, code } = describeError(error);
      process.stderr.write(`router: ${message}\n`);
      if (argv.includes('--debug') && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exitCode = code;
    },
  );
}
