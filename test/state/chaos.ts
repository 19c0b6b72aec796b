// Chaos: thousands of invocations with injected target faults and platform-style retries
// (whole invocations again, EventBridge-style duplicates running at the same time, FC-style
// batches retried whole), on one store adapter. Every (target, event) pair must be
// accepted by its target exactly once: 0 duplicates, 0 lost. One test file per adapter
// (chaos-*.test.ts), so that jest's workers run them side by side.
import { createHash } from 'node:crypto';
import { createLogger } from '../../shared/log';
import type { DeliveryReport } from '../../shared/dispatch/types';
import { createRouter, type Router } from '../../shared/runtime/router';
import { processEvent } from '../../shared/runtime/pipeline';
import { startScriptedServer, type ScriptedServer } from '../support/http-server';
import { captureLogs } from '../support/logs';
import type { StartedStore, StoreHarness } from './adapters';
import { alarmEvent, webhookConfig } from './support';

/** Events per adapter; each is invoked at least once, many several times. */
const EVENTS = Number(process.env.CHAOS_EVENTS ?? 1000);
const TARGETS = ['hook-a', 'hook-b', 'hook-c'];
/** Share of requests that fail (while the pair has failed fewer than MAX_FAULTS times). */
const FAULT_RATE = 0.25;
const MAX_FAULTS = 2;
/** Share of events EventBridge delivers twice at once. */
const DUPLICATE_RATE = 0.3;
/** Share of events that arrive in FC batches of three. */
const BATCH_RATE = 0.3;
const MAX_INVOCATIONS = 12;
const CONCURRENCY = 8;

// Thousands of invocations on a shared machine: the whole test is bounded by its loop counts.
jest.setTimeout(600_000);

/** A deterministic draw in [0, 1) for a text. */
const draw = (text: string) => createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;

export function describeChaos(harness: StoreHarness): void {
  const logs = captureLogs();
  afterAll(() => logs.restore());

  describe(`chaos on the ${harness.name} store`, () => {
    let started: StartedStore;
    let server: ScriptedServer;
    let router: Router;
    const accepted = new Map<string, number>();
    const faults = new Map<string, number>();

    beforeAll(async () => {
      started = await harness.start();
      server = await startScriptedServer();
      server.respondWith((req) => {
        const target = req.url.slice(1);
        const { alert } = req.json() as { alert: { id: string } };
        const pair = `${target} ${alert.id}`;
        const failed = faults.get(pair) ?? 0;
        if (failed < MAX_FAULTS && draw(`${pair} ${failed}`) < FAULT_RATE) {
          faults.set(pair, failed + 1);
          return draw(`${pair} kind ${failed}`) < 0.5 ? { status: 503, body: 'unavailable' } : { status: 429, body: 'slow down' };
        }
        accepted.set(pair, (accepted.get(pair) ?? 0) + 1);
        return { status: 200, body: 'ok' };
      });
      // Bounds far above any call on a loaded machine: a store call that timed out would fail
      // open and a webhook answer that came too late would be retried, both at least once by
      // design (fail-open.test.ts, docs/state.md "Limits"), which is not what this test counts.
      router = await createRouter(await webhookConfig(server.url, TARGETS, { ...started.settings, timeoutMs: 60_000 }, '', 60_000));
    });
    afterAll(async () => {
      await router?.state?.store.close?.();
      await server?.close();
      await started?.store.close?.();
      await started?.stop();
    });

    test(`${EVENTS} events, faults and retries: every target accepts every event exactly once`, async () => {
      const events = Array.from({ length: EVENTS }, (_, i) =>
        alarmEvent({ id: `${harness.name}-chaos-${i}`, state: i % 2 ? 'ALARM' : 'OK', at: new Date(Date.UTC(2026, 3, 1) + i * 1000).toISOString(), alarm: `chaos-${harness.name}-${i}` }),
      );
      // Invocations as the platforms make them: one event, or an FC batch of three.
      const invocations: (typeof events)[] = [];
      for (let i = 0; i < events.length; ) {
        const size = draw(`batch ${i}`) < BATCH_RATE ? 3 : 1;
        invocations.push(events.slice(i, i + size));
        i += size;
      }

      let made = 0;
      /** Events delivered without the ledger (fail-open): named, should a duplicate ever show. */
      const atLeastOnce: string[] = [];
      /** One invocation: its members in order; it fails when any member's delivery failed. */
      const invoke = async (members: typeof events): Promise<boolean> => {
        made += 1;
        const deadline = Date.now() + 600_000;
        let ok = true;
        for (const event of members) {
          const report = (await processEvent(event, { router, log: createLogger(), deadline })) as DeliveryReport;
          if (report.state?.ledger !== 'used') atLeastOnce.push(`${event.id}: ledger ${report.state?.ledger}: ${report.state?.detail}`);
          ok &&= report.ok;
        }
        return ok;
      };
      /** The platform: invoke, and invoke the whole thing again while it fails. */
      const platform = async (members: typeof events, label: string) => {
        for (let attempt = 1; attempt <= MAX_INVOCATIONS; attempt += 1) {
          if (await invoke(members)) return;
        }
        throw new Error(`${label} still failing after ${MAX_INVOCATIONS} invocations`);
      };

      let next = 0;
      const worker = async () => {
        while (next < invocations.length) {
          const index = next++;
          const members = invocations[index]!;
          // EventBridge delivering one event twice, both copies running at the same time.
          const copies = draw(`duplicate ${index}`) < DUPLICATE_RATE ? 2 : 1;
          await Promise.all(Array.from({ length: copies }, (_, copy) => platform(members, `invocation ${index}.${copy}`)));
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));

      const duplicates: string[] = [];
      const lost: string[] = [];
      for (const event of events) {
        for (const target of TARGETS) {
          const count = accepted.get(`${target} ${event.id}`) ?? 0;
          if (count > 1) duplicates.push(`${target} ${event.id} x${count}`);
          if (count === 0) lost.push(`${target} ${event.id}`);
        }
      }
      expect({ duplicates, lost, atLeastOnce }).toEqual({ duplicates: [], lost: [], atLeastOnce: [] });
      // The run did exercise what it claims to.
      expect([...faults.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(EVENTS * TARGETS.length * FAULT_RATE * 0.5);
      expect(made).toBeGreaterThan(invocations.length * 1.3);
    });
  });
}
