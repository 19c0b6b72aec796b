// Warm per-event CPU cost of the pipeline, in one process, over every sample event, against
// baselines measured in the same process and interleaved with it (blocks of each in turn,
// round after round; medians of the rounds):
//   - the pipeline (decode excluded: normalize, enrich, route, dispatch, report, the log
//     line) to a target that does nothing, against a JSON round trip of the same event;
//   - the pipeline to the real file target, against a plain append of the same line to a
//     file held open, with the same call (node:fs write on the open descriptor): what the
//     target does, without the router around it;
//   - the no-op pipeline followed by that plain append (no target does it): the floor of
//     any file target, for reading the file row (bench/README.md).
// Bundled and run by bench/index.ts (stdout is the handlers' log, thrown away as the
// platforms keep it elsewhere); the result is one JSON line on file descriptor 3.
//
//   BENCH_EVENTS (a JSON array of events), BENCH_WARM_ROUNDS (default 15),
//   BENCH_WARM_BLOCK (events per block, default 2000)
import { closeSync, openSync, readFileSync, write, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeEvent } from '../shared/normalize';
import { loadConfig } from '../shared/route/config';
import { createRouter } from '../shared/runtime/router';
import { processEvent } from '../shared/runtime/pipeline';
import { createLogger } from '../shared/log';
import { median, roundOrder, withNoopTarget } from './kit';

type Step = (i: number) => unknown;

async function main() {
  const rounds = Number(process.env.BENCH_WARM_ROUNDS ?? '15');
  const block = Number(process.env.BENCH_WARM_BLOCK ?? '2000');
  const eventsFile = process.env.BENCH_EVENTS;
  if (!eventsFile) throw new Error('BENCH_EVENTS (the file of the events) is not set');
  const events = JSON.parse(readFileSync(eventsFile, 'utf8')) as unknown[];
  const log = createLogger({ handler: 'bench' });
  const work = await mkdtemp(join(tmpdir(), 'bench-warm-'));
  try {
    const configFile = join(work, 'router.yaml');
    await writeFile(configFile, `version: 1\ntargets:\n  sink:\n    type: file\n    path: ${JSON.stringify(join(work, 'alerts.jsonl'))}\nroute:\n  targets: [sink]\n`);
    const config = await loadConfig(configFile, {});
    const fileRouter = await createRouter(config, log);
    const noopRouter = withNoopTarget(fileRouter, 'sink');

    const lines = events.map((event) => `${JSON.stringify(normalizeEvent(event))}\n`);
    const lineAt = (i: number) => {
      const line = lines[i % lines.length];
      if (line === undefined) throw new Error('BENCH_EVENTS holds no events');
      return line;
    };
    const fd = openSync(join(work, 'append.jsonl'), 'a');
    const writeAt = promisify(write);
    const at = (i: number) => events[i % events.length];

    const steps: Record<string, Step> = {
      json: (i): unknown => JSON.parse(JSON.stringify(at(i))),
      noop: (i) => processEvent(at(i), { router: noopRouter, log }),
      append: (i) => writeAt(fd, Buffer.from(lineAt(i), 'utf8')),
      file: (i) => processEvent(at(i), { router: fileRouter, log }),
      noopThenAppend: async (i) => {
        await processEvent(at(i), { router: noopRouter, log });
        await writeAt(fd, Buffer.from(lineAt(i), 'utf8'));
      },
    };
    const runs = Object.entries(steps).map(([name, step]) => ({ name, step, samples: [] as number[] }));
    // The first round warms the JIT and the caches; it is not counted.
    for (let round = 0; round <= rounds; round += 1) {
      // Each round in another order: no step always follows the same one.
      for (const { step, samples } of roundOrder(runs, round)) {
        // CPU time of the process (every thread), not wall time: on a shared machine a
        // block that waits for a core would otherwise count the wait.
        const start = process.cpuUsage();
        for (let i = 0; i < block; i += 1) await step(i);
        const used = process.cpuUsage(start);
        const ns = ((used.user + used.system) * 1000) / block;
        if (round > 0) samples.push(ns);
      }
    }
    closeSync(fd);
    const result = Object.fromEntries(runs.map(({ name, samples }) => [name, { nsPerEvent: median(samples), samples }]));
    writeSync(3, `${JSON.stringify({ events: events.length, rounds, block, ...result })}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
