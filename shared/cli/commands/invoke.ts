import { setLogLevel, setLogSink } from '../../log';
import type { DeliveryReport, DeliveryResult } from '../../dispatch/types';
import { isRefused, type EventReport } from '../../runtime/pipeline';
import { setConsoleOutput } from '../../targets/local/console';
import { defineCommand, UsageError } from '../command';
import { InputFileError, listEventFiles } from '../events';
import { invokeFile, type FileResult } from '../invoke';
import { DeliveryProgress } from '../progress';
import { renderTable } from '../table';

export default defineCommand({
  name: 'invoke',
  summary: 'run each event through its handler, as its runtime would, and deliver it',
  usage: 'FILE|DIR... [--json] [--timeout SECONDS]',
  description:
    'One file: its delivery report as JSON. Several (or a directory): progress on stderr and a summary table.\n' +
    'Console targets write to stderr here, so stdout carries only the report.',
  examples: ['invoke events/aws/state-change-single-metric.json', 'invoke events/aws events/alibaba'],
  takesConfig: true,
  options: {
    json: { type: 'boolean', default: false, description: 'the reports as JSON, also for several files' },
    timeout: { type: 'string', value: 'SECONDS', default: '30', description: 'the function timeout to emulate (default 30)' },
  },
  async run(ctx) {
    if (ctx.args.length === 0) throw new UsageError('missing FILE or DIR (event files, or directories of them)');
    const timeout = Number(ctx.values.timeout);
    // From one second to a day (FC's longest): a shorter one only times out the handler itself.
    if (!(timeout >= 1 && timeout <= 86_400)) throw new UsageError(`--timeout: expected seconds from 1 to 86400, got ${ctx.values.timeout}`);
    const files = await listEventFiles(ctx.args);
    const config = await ctx.loadConfig();
    // The handlers load the config the way the platforms do: from ROUTER_CONFIG.
    process.env.ROUTER_CONFIG = config.file;
    setConsoleOutput(process.stderr);
    const progress = watchDeliveries(ctx.values.verbose === true);
    const many = files.length > 1;
    const results: FileResult[] = [];
    for (const [index, file] of files.entries()) {
      const label = many ? `[${index + 1}/${files.length}] ${file}` : file;
      progress.start(label);
      let result: FileResult;
      try {
        result = await invokeFile(file, timeout * 1000);
      } catch (error) {
        // Among several files, one that cannot be read (not JSON) is a refused row, as a bad
        // event is: the deliveries made before it keep their report, the files after it run.
        if (!many || !(error instanceof InputFileError)) throw error;
        result = { file, eventType: null, reports: [{ ok: false, eventId: null, eventType: null, error: { code: error.code, message: error.message } }] };
      } finally {
        progress.stop();
      }
      results.push(result);
      if (many && !ctx.values.json) ctx.note(`${label}: ${verdict(result)}`);
    }
    const reports = results.flatMap((result) => result.reports);
    // One file: its report (its reports for a batch file), JSON in any case.
    if (!many) ctx.print(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2));
    else if (ctx.values.json) ctx.print(JSON.stringify(results, null, 2));
    else ctx.print(summary(results));
    if (reports.some(isRefused)) return 2;
    return reports.some((report) => !report.ok) ? 1 : 0;
  },
});

/**
 * Feeds the handlers' log to the progress display; with --verbose the lines also go to
 * stderr (debug lines only when LOG_LEVEL=debug asks for them).
 */
function watchDeliveries(verbose: boolean): DeliveryProgress {
  const progress = new DeliveryProgress(process.stderr);
  const showDebug = process.env.LOG_LEVEL === 'debug';
  setLogLevel('debug');
  setLogSink((line) => {
    progress.observe(line);
    if (verbose && (showDebug || !line.startsWith('{"level":"debug"'))) process.stderr.write(line + '\n');
  });
  return progress;
}

/** `prod-slack: HTTP 500 ...; ops-hook: timed out after 5000 ms`: why an event's deliveries failed. */
function failures(report: EventReport): string {
  if (isRefused(report)) return `REFUSED: ${report.error.message}`;
  const failed = report.deliveries.filter((d) => d.outcome === 'failed');
  return failed.length ? `FAILED: ${failed.map((d) => `${d.target}: ${d.detail ?? 'failed'}`).join('; ')}` : 'ok';
}

/**
 * The verdict, then what else the report says: the event was stale, the ledger was
 * unavailable, and why each skipped target was skipped.
 */
function resultText(report: EventReport): string {
  if (isRefused(report)) return failures(report);
  const notes: string[] = [];
  if (report.state?.stale) notes.push(`stale: older than ${report.state.stale.lastEventId} (${report.state.stale.lastEventAt}), changed nothing`);
  else if (report.state?.ledger === 'unavailable') notes.push(`ledger unavailable${report.state.detail ? `: ${report.state.detail}` : ''}`);
  for (const d of report.deliveries) {
    if (d.outcome === 'skipped' && d.reason !== 'stale') notes.push(`${d.target} skipped: ${d.detail ?? d.reason ?? 'skipped'}`);
  }
  return [failures(report), ...notes].join('; ');
}

/**
 * `target:outcome`, with why a target was skipped (`hook:skipped(already-delivered)`) or
 * delivered without the ledger, so at least once (`hook:delivered(no-ledger)`).
 */
function deliveryCell(d: DeliveryResult, report: DeliveryReport): string {
  const withoutLedger = d.ledger === 'unavailable' || (report.state?.ledger === 'unavailable' && d.reason === undefined);
  const why = d.outcome === 'delivered' ? (withoutLedger ? 'no-ledger' : undefined) : d.reason;
  return `${d.target}:${d.outcome}${why ? `(${why})` : ''}`;
}

function verdict(result: FileResult): string {
  const bad = result.reports.find((report) => !report.ok);
  return bad ? failures(bad) : 'ok';
}

function summary(results: FileResult[]): string {
  const rows: string[][] = [];
  const counts = { delivered: 0, skipped: 0, failed: 0 };
  for (const result of results) {
    for (const report of result.reports) {
      if (isRefused(report)) {
        rows.push([result.file, '-', '-', '-', '-', failures(report)]);
        continue;
      }
      for (const delivery of report.deliveries) counts[delivery.outcome] += 1;
      rows.push([
        result.file,
        report.name,
        report.status,
        report.severity,
        report.deliveries.map((d) => deliveryCell(d, report)).join(' ') || '(no target)',
        resultText(report),
      ]);
    }
  }
  const reports = results.flatMap((result) => result.reports);
  const refused = reports.filter(isRefused).length;
  const failed = reports.filter((report) => !report.ok).length - refused;
  return [
    renderTable(['event file', 'alert', 'status', 'severity', 'deliveries', 'result'], rows, { 0: 48, 1: 32, 5: 100 }),
    '',
    `${reports.length} event(s): ${reports.length - failed - refused} ok, ${failed} with failed deliveries, ${refused} refused; ` +
      `deliveries: ${counts.delivered} delivered, ${counts.skipped} skipped, ${counts.failed} failed`,
  ].join('\n');
}
