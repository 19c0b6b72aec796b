import { createHmac, timingSafeEqual } from 'node:crypto';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { deliver } from '../../../shared/dispatch/deliver';
import type { PreparedTarget } from '../../../shared/dispatch/types';
import { createLogger, registerSecret, setLogSink } from '../../../shared/log';
import type { Alert } from '../../../shared/model/alert';
import type { RetryPolicy } from '../../../shared/route/types';
import webhook from '../../../shared/targets/http/webhook';
import { asFakeService, startScriptedServer, type RecordedRequest, type ScriptedServer } from '../../support/http-server';
import { armsAlert, cloudWatchAlert, describeConformance, sampleAlerts } from '../conformance';

describeConformance({
  type: 'webhook',
  async start() {
    const server = await startScriptedServer();
    const secret = 'whsec-conformance-5f1c0e2a9b';
    const token = 'Bearer tok-conformance-8d41c7';
    return asFakeService(server, { url: `${server.url}/hooks/alerts`, allowPrivateNetwork: true, secret, headers: { Authorization: token } }, [secret, token]);
  },
});

const log = createLogger({ test: 'webhook' });
const FAST: RetryPolicy = { timeoutMs: 1000, retries: 2 };

function createWebhook(settings: Record<string, unknown>, name = 'ops-hook'): PreparedTarget & { policy: RetryPolicy } {
  // The fake is on 127.0.0.1.
  const parsed = webhook.settings.parse({ allowPrivateNetwork: true, ...settings });
  const target = webhook.create(parsed, { name, log, alibabaCredentials: () => undefined });
  if (target instanceof Promise) throw new Error('webhook.create is synchronous');
  return { name, type: 'webhook', target, policy: FAST };
}

async function send(prepared: PreparedTarget, alert: Alert, random = () => 0) {
  const [result] = await deliver(alert, [prepared], { log, random });
  return result!;
}

describe('webhook target', () => {
  let server: ScriptedServer;
  const received = () => server.requests;

  beforeAll(async () => {
    setLogSink(() => undefined);
    server = await startScriptedServer();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.respondWith('ok');
  });

  it('POSTs the alert envelope with the configured headers', async () => {
    const hook = createWebhook({ url: `${server.url}/in?team=ops`, headers: { 'X-Team': 'ops', 'Content-Type': 'text/plain' } });
    const alert = cloudWatchAlert();

    const result = await send(hook, alert);

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 1, target: 'ops-hook', type: 'webhook' });
    expect(received()).toHaveLength(1);
    const [request] = received() as [RecordedRequest];
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/in?team=ops');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-team']).toBe('ops');
    expect(request.headers['x-alert-router-alert-id']).toBe(alert.id);
    expect(request.headers['x-alert-router-signature']).toBeUndefined();
    expect(request.json()).toEqual({ version: '1', alert });
  });

  it('sends credentials written in the URL as Basic authentication, and an echo of them is redacted', async () => {
    const url = `${server.url.replace('://', '://am-user:p%40ss%20w0rd-9f2c@')}/in`;
    registerSecret(url);
    const hook = createWebhook({ url });

    expect(await send(hook, cloudWatchAlert())).toMatchObject({ outcome: 'delivered' });
    const basic = Buffer.from('am-user:p@ss w0rd-9f2c').toString('base64');
    expect(received()[0]!.headers.authorization).toBe(`Basic ${basic}`);

    // A header of its own wins over the URL's credentials.
    const own = createWebhook({ url, headers: { Authorization: 'Bearer from-headers-7d1e0a' } });
    await send(own, cloudWatchAlert());
    expect(received()[1]!.headers.authorization).toBe('Bearer from-headers-7d1e0a');

    server.respondWith('echo');
    const echoed = await send(hook, cloudWatchAlert());
    expect(echoed.outcome).toBe('failed');
    expect(JSON.stringify(echoed)).not.toContain(basic);
    expect(JSON.stringify(echoed)).not.toContain('p@ss');
  });

  it('does not retry a 4xx and reports the status and body', async () => {
    server.respondWith({ status: 404, body: 'no such hook' });
    const result = await send(createWebhook({ url: server.url }), cloudWatchAlert());

    expect(result).toMatchObject({ outcome: 'failed', retryable: false, attempts: 1 });
    expect(result.detail).toBe('HTTP 404: no such hook');
    expect(received()).toHaveLength(1);
  });

  it('retries 5xx until it succeeds', async () => {
    server.respondWith({ status: 500 }, { status: 502 }, 'ok');
    const result = await send(createWebhook({ url: server.url }), cloudWatchAlert());

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 3 });
    expect(received()).toHaveLength(3);
  });

  it('retries an attempt that timed out', async () => {
    server.respondWith('hang', 'ok');
    const hook = { ...createWebhook({ url: server.url }), policy: { timeoutMs: 200, retries: 1 } };
    const result = await send(hook, cloudWatchAlert());

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
    expect(received()).toHaveLength(2);
  });

  it('waits as long as Retry-After asks before the next attempt', async () => {
    server.respondWith({ status: 429, headers: { 'Retry-After': '1' } }, 'ok');
    // random 0: the jittered backoff alone would retry at once.
    const result = await send(createWebhook({ url: server.url }), cloudWatchAlert(), () => 0);

    expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
    const [first, second] = received() as [RecordedRequest, RecordedRequest];
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(1000 - 5);
  });

  describe('signature', () => {
    const secret = 'whsec-0123456789abcdef';

    /** What a receiver does (docs/targets/webhook.md): recompute the HMAC, compare in constant time, bound the age. */
    const verifying = (request: RecordedRequest) => {
      const timestamp = String(request.headers['x-alert-router-timestamp'] ?? '');
      const given = Buffer.from(String(request.headers['x-alert-router-signature'] ?? ''));
      const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`);
      const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
      const valid = fresh && given.length === expected.length && timingSafeEqual(given, expected);
      return valid ? { status: 204 } : { status: 401, body: 'bad signature' };
    };

    it('is accepted by a receiver holding the shared secret', async () => {
      server.respondWith(verifying);
      const result = await send(createWebhook({ url: server.url, secret }), armsAlert());

      expect(result).toMatchObject({ outcome: 'delivered', attempts: 1 });
      expect(received()[0]!.headers['x-alert-router-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    });

    it('is rejected by that receiver when signed with another secret', async () => {
      server.respondWith(verifying);
      const result = await send(createWebhook({ url: server.url, secret: 'another-secret-0123456789' }), armsAlert());

      expect(result).toMatchObject({ outcome: 'failed', retryable: false, detail: 'HTTP 401: bad signature' });
    });
  });

  describe('alertmanager format', () => {
    const time = { type: 'string', format: 'date-time' };
    const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
    // The Alertmanager webhook payload, version 4, as documented by Prometheus.
    const schema = {
      type: 'object',
      additionalProperties: false,
      required: ['version', 'groupKey', 'truncatedAlerts', 'status', 'receiver', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'alerts'],
      properties: {
        version: { const: '4' },
        groupKey: { type: 'string', minLength: 1 },
        truncatedAlerts: { type: 'integer', minimum: 0 },
        status: { enum: ['firing', 'resolved'] },
        receiver: { type: 'string' },
        groupLabels: stringMap,
        commonLabels: stringMap,
        commonAnnotations: stringMap,
        externalURL: { type: 'string' },
        alerts: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint'],
            properties: {
              status: { enum: ['firing', 'resolved'] },
              labels: { ...stringMap, required: ['alertname'], properties: { alertname: { type: 'string', minLength: 1 } } },
              annotations: stringMap,
              startsAt: time,
              endsAt: time,
              generatorURL: { type: 'string' },
              fingerprint: { type: 'string', minLength: 1 },
            },
          },
        },
      },
    };
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);

    const deliverAm = async (alert: Alert) => {
      const result = await send(createWebhook({ url: server.url, format: 'alertmanager' }, 'am-receiver'), alert);
      const body = received().at(-1)?.json();
      return { result, body: body as Record<string, unknown> & { alerts: Array<Record<string, unknown>> } };
    };

    it('sends an ARMS group with its members and fingerprints', async () => {
      const alert = armsAlert();
      const { result, body } = await deliverAm(alert);

      expect(result.outcome).toBe('delivered');
      expect(validate(body)).toBe(true);
      expect(body).toMatchObject({
        version: '4',
        groupKey: alert.dedupKey,
        status: 'firing',
        receiver: 'am-receiver',
        truncatedAlerts: 0,
        externalURL: alert.links[0]!.url,
        groupLabels: { alertname: alert.name },
        commonAnnotations: alert.annotations,
      });
      expect(body.alerts.map((member) => member.fingerprint)).toEqual(alert.alerts.map((member) => member.fingerprint));
      expect(body.alerts[0]).toMatchObject({ status: 'firing', endsAt: '0001-01-01T00:00:00Z', labels: alert.alerts[0]!.labels });
    });

    it('sends a CloudWatch alarm as one alert with a stable fingerprint', async () => {
      const firing = cloudWatchAlert();
      const resolved = cloudWatchAlert({ status: 'resolved', endsAt: '2019-10-02T17:30:00.000Z' });
      const first = await deliverAm(firing);
      const second = await deliverAm(resolved);

      expect(validate(first.body)).toBe(true);
      expect(validate(second.body)).toBe(true);
      expect(first.body.alerts).toHaveLength(1);
      expect(first.body.alerts[0]).toMatchObject({
        status: 'firing',
        labels: { alertname: 'ServerCpuTooHigh', severity: 'critical', InstanceId: 'i-12345678901234567' },
        annotations: { summary: firing.summary, description: firing.description },
        startsAt: firing.startsAt,
      });
      expect(second.body).toMatchObject({ status: 'resolved', alerts: [{ status: 'resolved', endsAt: '2019-10-02T17:30:00.000Z' }] });
      expect(second.body.alerts[0]!.fingerprint).toBe(first.body.alerts[0]!.fingerprint);
    });

    it('sends every firing and resolved sample event in valid v4 form', async () => {
      const samples = sampleAlerts().filter(({ alert }) => alert.status === 'firing' || alert.status === 'resolved');
      expect(samples.length).toBeGreaterThan(5);
      for (const { file, alert } of samples) {
        const { result, body } = await deliverAm(alert);
        expect({ file, outcome: result.outcome, valid: validate(body), errors: validate.errors }).toEqual({ file, outcome: 'delivered', valid: true, errors: null });
        expect(body.alerts).toHaveLength(Math.max(1, alert.alerts.length));
        expect(body.groupKey).toBe(alert.dedupKey);
      }
    });

    it('sends config-deleted as resolved', async () => {
      const { result, body } = await deliverAm(cloudWatchAlert({ kind: 'config-change', status: 'config-deleted' }));
      expect(result.outcome).toBe('delivered');
      expect(validate(body)).toBe(true);
      expect(body.status).toBe('resolved');
    });

    it.each(['acknowledged', 'commented', 'insufficient-data', 'config-created', 'config-updated'])(
      'skips %s, which Alertmanager has no word for, without a request',
      async (status) => {
        const alert = sampleAlerts().find((sample) => sample.alert.status === status)!.alert;
        const result = await send(createWebhook({ url: server.url, format: 'alertmanager' }), alert);

        expect(result.outcome).toBe('skipped');
        expect(result.detail).toContain(status);
        expect(received()).toHaveLength(0);
      },
    );
  });

  describe('settings', () => {
    const problem = (settings: Record<string, unknown>) => {
      const parsed = webhook.settings.safeParse(settings);
      return parsed.success ? undefined : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    };

    it('refuses plain http to a non-loopback host, without echoing the URL', () => {
      const message = problem({ url: 'http://hooks.example.com/T0KEN-in-path' });
      expect(message).toMatch(/^url: must use https/);
      expect(message).not.toContain('T0KEN');
    });

    it.each(['http://127.0.0.1:8080/a', 'http://127.1.2.3/a', 'http://localhost/a', 'http://[::1]:9000/a'])('accepts %s with allowPrivateNetwork, not without', (url) => {
      expect(problem({ url, allowPrivateNetwork: true })).toBeUndefined();
      expect(problem({ url })).toMatch(/^url: points to .*, not a public address: set allowPrivateNetwork: true on the target to allow it$/);
    });

    it.each(['https://169.254.169.254/latest/meta-data/', 'https://10.0.0.5/hook', 'https://[fd12::1]/hook'])('refuses %s without allowPrivateNetwork', (url) => {
      expect(problem({ url })).toMatch(/not a public address/);
    });

    it('accepts a public https URL', () => {
      expect(problem({ url: 'https://hooks.example.com/a' })).toBeUndefined();
    });

    it('accepts plain http anywhere with allowInsecureHttp', () => {
      expect(problem({ url: 'http://hooks.internal/a', allowInsecureHttp: true })).toBeUndefined();
    });

    it.each([
      [{}, /^url: /],
      [{ url: 'not a url' }, /^url: is not a valid absolute URL/],
      [{ url: 'ftp://example.com/x' }, /^url: must be an https URL/],
      [{ url: 'https://a.example', format: 'slack' }, /^format: /],
      [{ url: 'https://a.example', secret: 'short' }, /^secret: must be at least 16 characters/],
      [{ url: 'https://a.example', headers: { 'Bad Header': 'x' } }, /^headers\.Bad Header: /],
      [{ url: 'https://a.example', headers: { 'X-Ok': 'a\r\nInjected: 1' } }, /^headers\.X-Ok: must not contain line breaks/],
      [{ url: 'https://a.example', method: 'PUT' }, /unrecognized/i],
    ])('refuses %j', (settings, expected) => {
      expect(problem(settings)).toMatch(expected);
    });

    it('lists its secret key and applies defaults', () => {
      expect(webhook.secretKeys).toEqual(['secret']);
      expect(webhook.settings.parse({ url: 'https://a.example' })).toEqual({ url: 'https://a.example', format: 'alert', headers: {}, allowInsecureHttp: false, allowPrivateNetwork: false });
    });
  });
});
