// Runs in a child process (node --import tsx --expose-gc): creates one target from its
// settings, sends it the same alert `deliveries` times, and reports the heap after a full GC
// once warmed up and at the end. The fake service runs in the parent process, so what it
// records is not counted: only what the target, its client and its SDK keep.
import { getHeapStatistics } from 'node:v8';
import { createLogger, setLogSink } from '../../shared/log';
import type { Alert } from '../../shared/model/alert';
import { loadTargetType } from '../../shared/targets/registry';

export interface MemoryRunInput {
  type: string;
  settings: unknown;
  alert: Alert;
  deliveries: number;
  warmup: number;
  concurrency: number;
}

export interface MemoryRunResult {
  baseBytes: number;
  endBytes: number;
  outcomes: Record<string, number>;
  firstFailure?: string;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => { throw new Error('run with --expose-gc'); });

async function heapAfterGc(): Promise<number> {
  // Let timers and sockets that are done close, then collect twice (weak callbacks run between).
  for (let i = 0; i < 3; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
  }
  return getHeapStatistics().used_heap_size;
}

async function main(input: MemoryRunInput): Promise<MemoryRunResult> {
  setLogSink(() => undefined);
  const type = await loadTargetType(input.type);
  if (!type) throw new Error(`unknown target type ${input.type}`);
  const target = await type.create(type.settings.parse(input.settings), {
    name: `memory-${input.type}`,
    log: createLogger(),
    alibabaCredentials: () => {
      const accessKeyId = process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
      const accessKeySecret = process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
      return accessKeyId && accessKeySecret ? { accessKeyId, accessKeySecret } : undefined;
    },
  });
  const outcomes: Record<string, number> = {};
  let firstFailure: string | undefined;
  const signal = new AbortController().signal;
  const log = createLogger();
  const sendMany = async (count: number) => {
    let next = 0;
    const lane = async () => {
      while (next < count) {
        next += 1;
        const outcome = await target.send(input.alert, { signal, attempt: 1, log });
        outcomes[outcome.outcome] = (outcomes[outcome.outcome] ?? 0) + 1;
        if (outcome.outcome === 'failed') firstFailure ??= outcome.detail;
      }
    };
    await Promise.all(Array.from({ length: input.concurrency }, lane));
  };
  await sendMany(input.warmup);
  const baseBytes = await heapAfterGc();
  await sendMany(input.deliveries);
  const endBytes = await heapAfterGc();
  return { baseBytes, endBytes, outcomes, ...(firstFailure !== undefined ? { firstFailure } : {}) };
}

process.once('message', (input: MemoryRunInput) => {
  main(input).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (err: unknown) => process.send?.({ error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }, () => process.exit(1)),
  );
});
