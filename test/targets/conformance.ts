// The conformance suite every target type passes (the idea of Alertmanager's notify test kit).
// A target's test file starts a fake of its service on 127.0.0.1 and calls
// describeConformance(harness). The suite creates the target from the fake's settings
// (through the type's own schema) and drives it through the real deliver() with a short
// policy: the retry matrix, timeouts, connection refused, every alert status, the outcome
// shape, and no secret in any log line, outcome or detail.
import { createLogger, registerSecret, setLogLevel, setLogSink, stdoutSink, type LogLevel } from '../../shared/log';
import { alertSchema, STATUSES, type Alert } from '../../shared/model/alert';
import { normalizeEvent } from '../../shared/normalize';
import { eventsOf, samples } from '../support/samples';
import { deliver } from '../../shared/dispatch/deliver';
import type { DeliveryResult, PreparedTarget } from '../../shared/dispatch/types';
import type { Outcome, Target } from '../../shared/targets/contract';
import { loadTargetType } from '../../shared/targets/registry';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { MemoryRunInput, MemoryRunResult } from '../support/memory-run';

/** `echo`: a 400 whose body repeats the request (line, headers, body), as careless servers and proxies do. */
export type ServiceMode = 'ok' | 'throttle' | 'server-error' | 'client-error' | 'hang' | 'echo';

export const SERVICE_MODES: readonly ServiceMode[] = ['ok', 'throttle', 'server-error', 'client-error', 'hang', 'echo'];

/** The echo of a request: what a server that repeats it back answers. */
export function echoBody(request: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string }): string {
  const headers = Object.entries(request.headers).map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : (value ?? '')}`);
  return [`${request.method} ${request.url}`, ...headers, '', request.body].join('\n');
}

/** The forms a secret takes on the wire: as is, percent-encoded, base64. */
const wireForms = (secret: string) => [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];

export interface FakeService {
  /** The target's router.yaml settings (secrets already resolved) pointing at this server. */
  settings: Record<string, unknown>;
  /** Secret values (tokens, keys, signing secrets) that must never appear in a log line or error. */
  secrets: string[];
  /** Scripts every following response of the fake service. */
  respondWith(mode: ServiceMode): void;
  /** The JSON body of the last request the service received (undefined when it was not JSON): what render() must show. */
  lastBody?(): unknown;
  /**
   * How many requests reached the service so far. A local target (network: false) counts
   * what it wrote: a failed attempt writes nothing.
   */
  requests(): number;
  stop(): Promise<void>;
}

export interface ConformanceHarness {
  type: string;
  start(): Promise<FakeService>;
  /** Environment variables the target needs during the suite (fake cloud credentials...). */
  env?: Record<string, string>;
  /**
   * The modes the fake can play (default: all). Local targets have no service: console
   * plays only `ok`, file plays `client-error` with a path that is a directory.
   */
  modes?: readonly ServiceMode[];
  /**
   * Whether the target talks to its service over the network (default true). When it does,
   * the suite also delivers after stop() and expects a retryable connection failure.
   */
  network?: boolean;
  /** Tells two runs of one type apart in a file (`slack (api)`, `slack (webhook)`). */
  label?: string;
  /**
   * Where the rendered payload is in what render() returns and in the request body, for
   * SDK targets whose render() shows the API call (Payload of an Invoke, one entry of a batch).
   */
  renderedBody?: (rendered: Record<string, unknown>) => unknown;
  sentBody?: (sent: Record<string, unknown>) => unknown;
  /** Whether this run measures memory across MEMORY_DELIVERIES (default true; once per type is enough). */
  memory?: boolean;
  /**
   * A reference the target returned for the alert before (what the alert state hands it as
   * `ctx.ref`): the suite also delivers follow-ups with it, which take other requests.
   */
  ref?: string;
}

/** A later event of the suite's alert: its resolve. */
const followUp = () => cloudWatchAlert({ id: 'conformance-resolve', status: 'resolved', previousStatus: 'firing' });

/** The short policy of the suite: 3 attempts of at most 300 ms (the hang cases time it). */
export const CONFORMANCE_POLICY = { timeoutMs: 300, retries: 2 };
/**
 * The same retries with a patient timeout, for every case that does not test the timeout: a
 * loaded machine must not turn "delivered at the first attempt" into a second attempt.
 */
const PATIENT_POLICY = { ...CONFORMANCE_POLICY, timeoutMs: 5000 };
/** Jitter fixed at 10% of the backoff ceiling: 10 ms, then 20 ms. */
const fastRandom = () => 0.1;
/** Generous bounds: they catch a target that ignores its signal, not a slow machine. */
const SETTLE_GRACE_MS = 3000;

const CW_ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh';
const ARMS_URL = 'https://arms.console.aliyun.com/#/alarm/alert/detail/12345';

/** A CloudWatch alarm state change shaped as the normalizer makes it, with fixed values to override. */
export function cloudWatchAlert(overrides: Partial<Alert> = {}): Alert {
  return alertSchema.parse({
    schemaVersion: '1',
    id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    dedupKey: CW_ARN,
    cloud: 'aws',
    provider: 'aws.cloudwatch',
    kind: 'state-change',
    status: 'firing',
    previousStatus: 'resolved',
    severity: 'critical',
    sourceSeverity: null,
    name: 'ServerCpuTooHigh',
    summary: 'Threshold Crossed: 1 out of the last 1 datapoints was greater than the threshold (50.0)',
    description: 'Goes into alarm when server CPU utilization is too high!',
    account: '123456789012',
    region: 'us-east-1',
    resources: [CW_ARN],
    labels: { InstanceId: 'i-12345678901234567', namespace: 'AWS/EC2', metric: 'CPUUtilization' },
    annotations: {},
    alerts: [],
    startsAt: '2019-10-02T17:04:40.989Z',
    endsAt: null,
    observedAt: '2019-10-02T17:04:40.989Z',
    actor: null,
    comment: null,
    solution: null,
    muted: null,
    links: [{ title: 'CloudWatch console', url: 'https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/ServerCpuTooHigh' }],
    source: {
      id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
      type: 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      bus: null,
      time: '2019-10-02T17:04:40.000Z',
    },
    ...overrides,
  });
}

/** An ARMS alert group shaped as the normalizer makes it (create by default), with fixed values to override. */
export function armsAlert(overrides: Partial<Alert> = {}): Alert {
  const labels = { severity: 'error', regionId: 'cn-hangzhou', alertname: 'Manually triggered alert' };
  const annotations = { message: 'Manually triggered test alert' };
  return alertSchema.parse({
    schemaVersion: '1',
    id: 'd997f8c775d4d15b05f3346d5863fdc6_create',
    dedupKey: ARMS_URL,
    cloud: 'alibaba',
    provider: 'alibaba.arms',
    kind: 'lifecycle',
    status: 'firing',
    previousStatus: null,
    severity: 'error',
    sourceSeverity: 'P2',
    name: 'Manually triggered alert',
    summary: 'Manually triggered test alert',
    description: '',
    account: '1100000000000',
    region: 'cn-hangzhou',
    resources: [],
    labels,
    annotations,
    alerts: [
      {
        fingerprint: '9b115ab3762a47b51a8efcb516d4aa50',
        status: 'firing',
        labels,
        annotations,
        startsAt: '2022-06-07T09:22:01.645Z',
        endsAt: null,
      },
    ],
    startsAt: '2022-06-07T09:22:01.645Z',
    endsAt: null,
    observedAt: '2022-06-07T09:23:03.951Z',
    actor: { owner: 'xx', handler: null, operator: null },
    comment: null,
    solution: null,
    muted: null,
    links: [{ title: 'ARMS console', url: ARMS_URL }],
    source: {
      id: 'd997f8c775d4d15b05f3346d5863fdc6_create',
      type: 'aliyun:arms:alarm:create',
      source: 'arms',
      bus: 'armstest',
      time: '2022-06-07T09:23:04.003Z',
    },
    ...overrides,
  });
}


/**
 * Every sample event of events/aws and events/alibaba through the real normalizers (batch
 * files give one alert per event): the lifecycle matrix of the suite, every status included.
 */
export function sampleAlerts(): Array<{ file: string; alert: Alert }> {
  return ['aws', 'alibaba'].flatMap((cloud) =>
    samples(cloud).flatMap((sample) => {
      const events = eventsOf(sample);
      const file = sample.file.replace(/^events\//, '');
      return events.map((event, index) => ({ file: `${file}${events.length > 1 ? `[${index}]` : ''}`, alert: normalizeEvent(event) }));
    }),
  );
}

/** Checks a DeliveryResult against the documented shape (one line of detail, counts sane). */
export function expectDeliveryShape(result: DeliveryResult, name: string, type: string): void {
  expect(result.target).toBe(name);
  expect(result.type).toBe(type);
  expect(['delivered', 'skipped', 'failed']).toContain(result.outcome);
  expect(Number.isInteger(result.attempts) && result.attempts >= 0).toBe(true);
  expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  if (result.outcome === 'failed') expect(typeof result.retryable).toBe('boolean');
  else expect(result.retryable).toBeUndefined();
  if (result.outcome !== 'delivered') expect(result.detail).toEqual(expect.any(String));
  if (result.detail !== undefined) expect(result.detail).not.toMatch(/[\r\n]/);
}

/** Checks what a target's send() returned against the Outcome contract. */
export function expectOutcomeShape(outcome: Outcome): void {
  expect(['delivered', 'skipped', 'failed']).toContain(outcome.outcome);
  if (outcome.outcome === 'skipped') expect(outcome.detail).toEqual(expect.any(String));
  if (outcome.outcome === 'failed') {
    expect(typeof outcome.retryable).toBe('boolean');
    expect(outcome.detail).toEqual(expect.any(String));
  }
  if (outcome.detail !== undefined) expect(outcome.detail).not.toMatch(/[\r\n]/);
}

/** Resolves 'settled' when the promise settles either way, 'running' after `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<'settled' | 'running'> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'running'>((resolve) => {
    timer = setTimeout(() => resolve('running'), ms);
  });
  const settled = promise.then(
    () => 'settled' as const,
    () => 'settled' as const,
  );
  try {
    return await Promise.race([settled, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Deliveries per target type: 10,000 in CI; 2,000 on a developer's machine, where eight
 * suites share two cores. The bound grows with the count: a leak of 1 KiB per delivery
 * passes it either way.
 */
export const MEMORY_DELIVERIES = process.env.CI ? 10_000 : 2_000;
const MEMORY_WARMUP = 500;
const MEMORY_GROWTH_LIMIT = 1024 * 1024 + MEMORY_DELIVERIES * 128;

/**
 * Sends MEMORY_DELIVERIES alerts to a fresh target of the type in a child process (a heap of
 * its own: the fake in this process is not counted) and returns the heap growth after GC.
 */
async function measureMemory(input: { type: string; settings: unknown; env: Record<string, string>; alert: Alert }): Promise<{ result: MemoryRunResult; growth: number }> {
  const run: MemoryRunInput = { type: input.type, settings: input.settings, alert: input.alert, deliveries: MEMORY_DELIVERIES, warmup: MEMORY_WARMUP, concurrency: 8 };
  const child = fork(join(__dirname, '..', 'support', 'memory-run.ts'), {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, ...input.env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    const message = await new Promise<{ result?: MemoryRunResult; error?: string }>((resolve, reject) => {
      child.once('message', (reply) => resolve(reply as { result?: MemoryRunResult; error?: string }));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`memory run exited with code ${code}`)));
      child.send(run);
    });
    if (!message.result) throw new Error(`memory run failed: ${message.error}`);
    return { result: message.result, growth: message.result.endBytes - message.result.baseBytes };
  } finally {
    child.kill();
  }
}

const DEFAULT_LOG_LEVEL: LogLevel = ['debug', 'info', 'warn', 'error'].includes(process.env.LOG_LEVEL ?? '') ? (process.env.LOG_LEVEL as LogLevel) : 'info';

export function describeConformance(harness: ConformanceHarness): void {
  const modes = new Set(harness.modes ?? SERVICE_MODES);
  const network = harness.network ?? true;
  const name = `conformance-${harness.type}`;
  const policy = CONFORMANCE_POLICY;

  describe(`conformance: ${harness.type}${harness.label ? ` (${harness.label})` : ''}`, () => {
    /** Every log line and every detail produced during the suite: checked for secrets at the end. */
    const emitted: string[] = [];
    const savedEnv: Record<string, string | undefined> = {};
    let service: FakeService | undefined;
    let stopped = false;
    let target: Target;

    const fake = (): FakeService => {
      if (!service) throw new Error(`harness ${harness.type} did not start`);
      return service;
    };

    /** Delivers through the real dispatch, as the runtime does. */
    const run = async (mode: ServiceMode, alert: Alert = cloudWatchAlert(), ref?: string) => {
      if (!stopped) fake().respondWith(mode);
      const before = stopped ? 0 : fake().requests();
      const prepared: PreparedTarget = { name, type: harness.type, target, policy: mode === 'hang' ? policy : PATIENT_POLICY };
      const [result] = await deliver(alert, [prepared], { log: createLogger({ suite: 'conformance' }), random: fastRandom, ...(ref ? { refs: { [name]: ref } } : {}) });
      if (!result) throw new Error('deliver() returned no result');
      emitted.push(JSON.stringify(result));
      expectDeliveryShape(result, name, harness.type);
      return { result, requests: stopped ? 0 : fake().requests() - before };
    };

    /** Requests a failed delivery should have made: local targets count what they wrote, nothing. */
    const failedRequests = (attempts: number) => (network ? attempts : 0);

    beforeAll(async () => {
      for (const [key, value] of Object.entries(harness.env ?? {})) {
        savedEnv[key] = process.env[key];
        process.env[key] = value;
      }
      // The secrets are deliberately not registered with redact(): the target itself must
      // keep them out of what it logs and returns.
      setLogSink((line) => emitted.push(line));
      setLogLevel('debug');
      const type = await loadTargetType(harness.type);
      if (!type) throw new Error(`target type ${harness.type} is not in shared/targets/registry.ts`);
      service = await harness.start();
      const settings = type.settings.parse(service.settings);
      const log = createLogger({ suite: 'conformance', target: name });
      target = await type.create(settings, {
        name,
        log,
        alibabaCredentials: () => {
          const accessKeyId = process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
          const accessKeySecret = process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
          if (!accessKeyId || !accessKeySecret) return undefined;
          const securityToken = process.env.ALIBABA_CLOUD_SECURITY_TOKEN;
          return { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) };
        },
      });
      // One delivery of another alarm first: an SDK's first call loads and resolves much
      // (middleware, endpoints, credentials) and may not fit the suite's 300 ms attempts on a
      // busy machine. The suite tests behaviour, not cold start.
      service.respondWith('ok');
      await target.send(cloudWatchAlert({ id: 'conformance-warm-up', dedupKey: `${CW_ARN}-warm-up` }), { signal: AbortSignal.timeout(30_000), attempt: 1, log });
    });

    afterAll(async () => {
      if (service && !stopped) await service.stop();
      setLogSink(stdoutSink);
      setLogLevel(DEFAULT_LOG_LEVEL);
      for (const [key, value] of Object.entries(savedEnv)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });

    it('ok: delivered at the first attempt, one request', async () => {
      const { result, requests } = await run('ok');
      expect(result).toMatchObject({ outcome: 'delivered', attempts: 1 });
      expect(requests).toBe(1);
    });

    // Modes a harness cannot play are left out rather than skipped: they do not apply.
    for (const mode of ['throttle', 'server-error'] as const) {
      if (!modes.has(mode)) continue;
      it(`${mode}: failed, retryable, retried up to the policy`, async () => {
        const { result, requests } = await run(mode);
        expect(result).toMatchObject({ outcome: 'failed', retryable: true, attempts: policy.retries + 1 });
        expect(requests).toBe(failedRequests(policy.retries + 1));
      });
    }

    if (modes.has('client-error')) {
      it('client-error: failed, not retryable, a single attempt', async () => {
        const { result, requests } = await run('client-error');
        expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
        expect(requests).toBe(failedRequests(1));
      });
    }

    const samples = sampleAlerts();
    it('the lifecycle samples cover every status', () => {
      expect(new Set(samples.map(({ alert }) => alert.status))).toEqual(new Set(STATUSES));
    });

    it.each(samples.map(({ file, alert }) => [`${alert.status} (${file})`, alert] as const))(
      'lifecycle %s: delivered or skipped, never thrown',
      async (_label, alert) => {
        fake().respondWith('ok');
        const outcome = await target.send(alert, { signal: AbortSignal.timeout(5000), attempt: 1, log: createLogger({ suite: 'conformance' }) });
        emitted.push(JSON.stringify(outcome));
        expectOutcomeShape(outcome);
        expect(['delivered', 'skipped']).toContain(outcome.outcome);
      },
    );

    if (modes.has('hang')) {
      it('hang: each attempt cut off at the timeout, failed and retryable', async () => {
        const { result, requests } = await run('hang');
        expect(result).toMatchObject({ outcome: 'failed', retryable: true, attempts: policy.retries + 1 });
        expect(result.detail).toMatch(/timed out/);
        expect(requests).toBe(failedRequests(policy.retries + 1));
        const attemptsTime = policy.timeoutMs * (policy.retries + 1);
        expect(result.latencyMs).toBeGreaterThanOrEqual(attemptsTime - 50);
        expect(result.latencyMs).toBeLessThan(attemptsTime + SETTLE_GRACE_MS);
      });

      it('hang: send() itself stops when its signal aborts', async () => {
        fake().respondWith('hang');
        const signal = AbortSignal.timeout(policy.timeoutMs);
        const sending = Promise.resolve().then(() => target.send(cloudWatchAlert(), { signal, attempt: 1, log: createLogger({ suite: 'conformance' }) }));
        sending.then(
          (outcome) => emitted.push(JSON.stringify(outcome)),
          (err: unknown) => emitted.push(String(err)),
        );
        expect(await settlesWithin(sending, policy.timeoutMs + SETTLE_GRACE_MS)).toBe('settled');
      });
    }

    it('render() shows what send() sends', async () => {
      const type = await loadTargetType(harness.type);
      if (!type?.render || !fake().lastBody) return;
      fake().respondWith('ok');
      const alert = armsAlert();
      const outcome = await target.send(alert, { signal: AbortSignal.timeout(5000), attempt: 1, log: createLogger({ suite: 'conformance' }) });
      expect(outcome.outcome).toBe('delivered');
      const sent = fake().lastBody!();
      if (sent === undefined) return;
      // A batch API takes the one rendered item in a list; signatures and tokens are added on the wire.
      const body = Array.isArray(sent) && sent.length === 1 ? (sent[0] as unknown) : sent;
      const rendered = type.render(alert, type.settings.parse(fake().settings), name) as Record<string, unknown>;
      expect((harness.sentBody ?? ((b) => b))(body as Record<string, unknown>)).toMatchObject((harness.renderedBody ?? ((r) => r))(rendered) as object);
    });

    if (network && modes.has('echo')) {
      /** A first delivery, and a follow-up with a stored ref when the target takes one (other requests). */
      const echoCases: [string, Alert, string | undefined][] = [['a server that repeats the request back gets no secret into the report', cloudWatchAlert(), undefined]];
      if (harness.ref !== undefined) echoCases.push(['a follow-up (with a stored ref) gets no secret into the report either', followUp(), harness.ref]);
      it.each(echoCases)('echo: %s', async (_label, alert, ref) => {
        // As config loading does with every `${env:...}` reference it resolves.
        for (const secret of fake().secrets) registerSecret(secret);
        const { result } = await run('echo', alert, ref);
        expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
        const report = JSON.stringify(result);
        for (const secret of fake().secrets) for (const form of wireForms(secret)) expect(report).not.toContain(form);
      });
    }

    if (harness.ref !== undefined) {
      const ref = harness.ref;
      it('ok with a stored ref: the follow-up is delivered at the first attempt', async () => {
        const { result, requests } = await run('ok', followUp(), ref);
        expect(result).toMatchObject({ outcome: 'delivered', attempts: 1 });
        expect(requests).toBeGreaterThanOrEqual(1);
      });
    }

    if (harness.memory !== false) it(`memory: flat across ${MEMORY_DELIVERIES} deliveries`, async () => {
      fake().respondWith('ok');
      const { result, growth } = await measureMemory({
        type: harness.type,
        settings: fake().settings,
        env: harness.env ?? {},
        alert: cloudWatchAlert(),
      });
      expect(result.outcomes.failed ?? 0).toBe(0);
      expect((result.outcomes.delivered ?? 0) + (result.outcomes.skipped ?? 0)).toBe(MEMORY_WARMUP + MEMORY_DELIVERIES);
      // The bound leaves room for caches that fill once (SDK endpoint caches, agents' free sockets).
      expect(growth).toBeLessThan(MEMORY_GROWTH_LIMIT);
    }, 600_000);

    if (network) {
      it('service down: connection refused is failed and retryable', async () => {
        await fake().stop();
        stopped = true;
        const { result } = await run('ok');
        expect(result).toMatchObject({ outcome: 'failed', retryable: true, attempts: policy.retries + 1 });
        // A target signals failure one way: a failed Outcome, never a throw.
        const outcome = await target.send(cloudWatchAlert(), { signal: AbortSignal.timeout(5000), attempt: 1, log: createLogger({ suite: 'conformance' }) });
        emitted.push(JSON.stringify(outcome));
        expect(outcome).toMatchObject({ outcome: 'failed', retryable: true });
      });
    }

    it('no secret appears in any log line, outcome or detail, in any wire form', () => {
      expect(emitted.length).toBeGreaterThan(0);
      for (const secret of fake().secrets) {
        expect(secret.length).toBeGreaterThan(0);
        const leaks = emitted.filter((line) => wireForms(secret).some((form) => line.includes(form)));
        expect(leaks).toEqual([]);
      }
    });
  });
}

export type { Outcome };
