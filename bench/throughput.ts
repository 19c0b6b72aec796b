// Per-event cost of the pipeline's stages, in process, over every sample event, reported
// as ratios against a baseline measured in the same run: a JSON round trip of the same
// event (what merely touching the event costs). Numbers, not assertions.
//
//   npx tsx bench/throughput.ts [--seconds 1]
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { normalizeEvent } from '../shared/normalize';
import { loadConfig } from '../shared/route/config';
import { createRouter } from '../shared/runtime/router';
import { planAlert, processEvent } from '../shared/runtime/pipeline';
import { createLogger, setLogSink } from '../shared/log';
import { renderTable } from '../shared/cli/table';

const ROOT = resolve(__dirname, '..');

function sampleEvents(): unknown[] {
  return ['aws', 'alibaba'].flatMap((cloud) => {
    const dir = join(ROOT, 'events', cloud);
    return readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .flatMap((name) => {
        const value: unknown = JSON.parse(readFileSync(join(dir, name), 'utf8'));
        return Array.isArray(value) ? value : [value];
      });
  });
}

interface Result {
  name: string;
  nsPerEvent: number;
  heapBytesPerEvent?: number;
}

/** Runs `step` over the events round after round for about `seconds`; ns per event. */
async function measure(name: string, events: unknown[], seconds: number, step: (event: unknown) => unknown): Promise<Result> {
  for (const event of events) await step(event); // warm-up: JIT and caches
  let count = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < until) {
    for (const event of events) await step(event);
    count += events.length;
  }
  return { name, nsPerEvent: Number(process.hrtime.bigint() - start) / count };
}

/** Retained heap per result: what holding N outputs costs, against holding N JSON copies. */
function retained(events: unknown[], step: (event: unknown) => unknown): number {
  const rounds = 200;
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const kept: unknown[] = [];
  for (let i = 0; i < rounds; i += 1) for (const event of events) kept.push(step(event));
  global.gc?.();
  const after = process.memoryUsage().heapUsed;
  return kept.length ? (after - before) / kept.length : 0;
}

async function main() {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '1' } } });
  const seconds = Number(values.seconds);
  const events = sampleEvents();
  setLogSink(() => undefined);

  const work = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    const configFile = join(work, 'router.yaml');
    writeFileSync(configFile, `version: 1\ntargets:\n  sink:\n    type: file\n    path: ${JSON.stringify(devNull)}\nroute:\n  targets: [sink]\n`);
    const defaultConfig = await loadConfig(join(ROOT, 'router.yaml'));
    const router = await createRouter(await loadConfig(configFile));
    const log = createLogger();
    const alerts = events.map((event) => normalizeEvent(event));
    let i = 0;

    const baseline = (event: unknown) => JSON.parse(JSON.stringify(event));
    const results = [
      await measure('baseline: JSON round trip of the event', events, seconds, baseline),
      await measure('normalize', events, seconds, (event) => normalizeEvent(event)),
      await measure('enrich + route (default router.yaml)', events, seconds, () => planAlert(alerts[i++ % alerts.length]!, defaultConfig)),
      await measure('whole pipeline, file target on /dev/null', events, seconds, (event) =>
        processEvent(event, { router, log }),
      ),
    ];
    const heapBaseline = retained(events, baseline);
    results[0]!.heapBytesPerEvent = heapBaseline;
    results[1]!.heapBytesPerEvent = retained(events, (event) => normalizeEvent(event));

    const base = results[0]!.nsPerEvent;
    const rows = results.map((r) => [
      r.name,
      `${(r.nsPerEvent / 1000).toFixed(1)} µs`,
      `${(r.nsPerEvent / base).toFixed(2)}x`,
      r.heapBytesPerEvent === undefined ? '-' : `${(r.heapBytesPerEvent / 1024).toFixed(1)} KiB (${(r.heapBytesPerEvent / heapBaseline).toFixed(2)}x)`,
    ]);
    console.log(`Per-event cost over ${events.length} sample events, ${seconds} s per stage (node ${process.version}${global.gc ? '' : ', no --expose-gc: heap figures are rough'}):`);
    console.log(renderTable(['stage', 'per event', 'vs baseline', 'retained heap per result'], rows));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
