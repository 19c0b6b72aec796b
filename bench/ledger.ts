// The per-event cost of the state store (alert state read, ledger claim and settle per
// target, alert state write) against the same pipeline without a store, measured in the
// same process, interleaved round by round (medians of the rounds). Each adapter runs for
// real: the local store on a temporary directory, DynamoDB through the real SDK against
// dynalite on 127.0.0.1. Events are unique (every one is a first delivery), to one target
// that does nothing, so the figure is the store's own cost.
//
//   measureLedger({ rounds, events }) -> per-event microseconds and ratios to no store
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, setLogSink } from '../shared/log';
import { parseConfig } from '../shared/route/config';
import { createRouter, type Router } from '../shared/runtime/router';
import { processEvent } from '../shared/runtime/pipeline';
import { DYNALITE_ENV, startDynalite } from '../test/support/dynalite';
import { alarmEvent } from '../test/state/support';
import { median, withNoopTarget } from './kit';

export interface LedgerBench {
  events: number;
  rounds: number;
  /** Median per-event time in microseconds. */
  perEventUs: { none: number; local: number; dynamodb: number };
}

/** The router of `state` with its one target replaced by one that does nothing. */
async function routerWith(state: string): Promise<Router> {
  const config = await parseConfig(`version: 1\ntargets:\n  sink:\n    type: console\nroute:\n  targets: [sink]\n${state}`, 'bench.yaml', {});
  return withNoopTarget(await createRouter(config, createLogger({ handler: 'bench' })), 'sink');
}

export async function measureLedger(options: { rounds?: number; events?: number } = {}): Promise<LedgerBench> {
  const rounds = options.rounds ?? 7;
  const events = options.events ?? 200;
  setLogSink(() => undefined);
  for (const [name, value] of Object.entries(DYNALITE_ENV)) process.env[name] ??= value;
  const dir = await mkdtemp(join(tmpdir(), 'bench-ledger-'));
  const dynalite = await startDynalite();
  try {
    const routers = {
      none: await routerWith(''),
      local: await routerWith(`state:\n  store: local\n  path: ${JSON.stringify(dir)}\n  timeoutMs: 30000\n`),
      dynamodb: await routerWith(`state:\n  store: dynamodb\n  table: ${dynalite.table}\n  endpoint: ${dynalite.endpoint}\n  timeoutMs: 30000\n`),
    };
    const samples: Record<keyof typeof routers, number[]> = { none: [], local: [], dynamodb: [] };
    let serial = 0;
    for (let round = 0; round < rounds; round += 1) {
      for (const kind of Object.keys(routers) as (keyof typeof routers)[]) {
        const batch = Array.from({ length: events }, () => {
          serial += 1;
          return alarmEvent({ id: `bench-${serial}`, state: 'ALARM', at: new Date(Date.UTC(2026, 0, 1) + serial).toISOString(), alarm: `bench-${serial}` });
        });
        const started = process.hrtime.bigint();
        for (const event of batch) await processEvent(event, { router: routers[kind], log: createLogger(), deadline: Date.now() + 60_000 });
        samples[kind].push(Number(process.hrtime.bigint() - started) / 1000 / events);
      }
    }
    await routers.dynamodb.state?.store.close?.();
    const perEventUs = { none: median(samples.none), local: median(samples.local), dynamodb: median(samples.dynamodb) };
    return { events, rounds, perEventUs };
  } finally {
    await dynalite.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  measureLedger().then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
