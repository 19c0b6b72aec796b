// classifyError against errors as real clients throw them: Node's fetch, the AWS SDK v3 and
// Alibaba's Tea SDK, each talking to a scripted server on 127.0.0.1.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import AlibabaEventBridge, * as alibaba from '@alicloud/eventbridge';
import { registerSecret } from '../../shared/log';
import { classifyError, retryableStatus } from '../../shared/targets/errors';
import { startScriptedServer, type ScriptedResponse, type ScriptedServer } from '../support/http-server';

/** The error a promise rejects with (fails the test when it resolves). */
async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(() => server.close());

describe('classifyError with Node fetch', () => {
  it('connection refused is retryable and says so in one line', async () => {
    const closed = await startScriptedServer();
    await closed.close();
    const outcome = classifyError(await thrown(fetch(`${closed.url}/`)));

    expect(outcome).toMatchObject({ outcome: 'failed', retryable: true });
    expect(outcome.detail).toBe(`TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:${closed.port}`);
  });

  it('an aborted request (timeout signal) is retryable', async () => {
    server.respondWith('hang');
    const outcome = classifyError(await thrown(fetch(server.url, { signal: AbortSignal.timeout(50) })));
    expect(outcome).toMatchObject({ outcome: 'failed', retryable: true });
    expect(outcome.detail).toMatch(/^TimeoutError: /);
  });

  it('a socket closed mid-response is retryable', async () => {
    // A hanging request whose server goes away: the client sees the socket close.
    const dying = await startScriptedServer();
    dying.respondWith('hang');
    const pending = thrown(fetch(dying.url, { method: 'POST', body: 'x' }));
    while (dying.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await dying.close();
    const outcome = classifyError(await pending);
    expect(outcome).toMatchObject({ outcome: 'failed', retryable: true });
    expect(outcome.detail).toMatch(/^TypeError: fetch failed: /);
  });
});

describe('classifyError with the AWS SDK v3', () => {
  const client = () =>
    new EventBridgeClient({
      region: 'us-east-1',
      endpoint: server.url,
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'not-a-real-secret-key' },
    });
  const putEvents = () => client().send(new PutEventsCommand({ Entries: [{ Source: 'alert.router', DetailType: 'test', Detail: '{}' }] }));
  const awsError = (status: number, type: string): ScriptedResponse => ({
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'req-1' },
    body: { __type: type, message: `${type} happened` },
  });

  it.each([
    [400, 'ThrottlingException', true],
    [400, 'LimitExceededException', true],
    [429, 'TooManyRequestsException', true],
    [500, 'InternalException', true],
    [503, 'ServiceUnavailableException', true],
    [400, 'ValidationException', false],
    [403, 'AccessDeniedException', false],
    [404, 'ResourceNotFoundException', false],
  ])('HTTP %i %s -> retryable %s', async (status, type, expected) => {
    server.respondWith(awsError(status, type));
    const outcome = classifyError(await thrown(putEvents()));

    expect(outcome).toMatchObject({ outcome: 'failed', retryable: expected });
    expect(outcome.detail).toContain(`HTTP ${status}: ${type}`);
    expect(outcome.detail).not.toContain('\n');
  });
});

describe('classifyError with the Alibaba Tea SDK', () => {
  const putEvents = () => {
    const client = new AlibabaEventBridge(
      new alibaba.Config({ accessKeyId: 'LTAI-example', accessKeySecret: 'example-secret-0123', endpoint: `127.0.0.1:${server.port}` }),
    );
    return client.putEvents([new alibaba.CloudEvent({ id: '1', source: 'alert.router', type: 'alert', subject: 's', data: '{}' })]);
  };
  const teaError = (status: number, code: string): ScriptedResponse => ({ status, body: { code, message: `${code} happened`, requestId: 'req-2' } });

  it.each([
    [429, 'Throttling.User', true],
    [503, 'ServiceUnavailable', true],
    [500, 'InternalError', true],
    [400, 'InvalidArgument', false],
    [404, 'EventBusNotExist', false],
  ])('HTTP %i %s -> retryable %s', async (status, code, expected) => {
    server.respondWith(teaError(status, code));
    const outcome = classifyError(await thrown(putEvents()));

    expect(outcome).toMatchObject({ outcome: 'failed', retryable: expected });
    expect(outcome.detail).toContain(`${code}: [EventBridgeError-req-2] ${code} happened`);
  });
});

describe('classifyError with error shapes', () => {
  const withCode = (code: string) => Object.assign(new Error(`getaddrinfo ${code} hooks.example.com`), { code });

  it.each(['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE'])('%s is retryable', (code) => {
    expect(classifyError(withCode(code))).toMatchObject({ outcome: 'failed', retryable: true });
  });

  it('honours the AWS $retryable trait and a Tea statusCode', () => {
    expect(classifyError(Object.assign(new Error('busy'), { name: 'SomeNewException', $retryable: { throttling: true }, $metadata: { httpStatusCode: 400 } }))).toMatchObject({ retryable: true });
    expect(classifyError(Object.assign(new Error('bad'), { code: 'Whatever', data: { statusCode: 502 } }))).toMatchObject({ retryable: true, detail: 'HTTP 502: Whatever: bad' });
    expect(classifyError(Object.assign(new Error('bad'), { code: 'Whatever', data: { statusCode: 400 } }))).toMatchObject({ retryable: false });
  });

  it('is not retryable for a plain programming error, and keeps no stack', () => {
    const outcome = classifyError(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(outcome).toEqual({ outcome: 'failed', retryable: false, detail: "TypeError: Cannot read properties of undefined (reading 'x')" });
  });

  it('describes a thrown non-error', () => {
    expect(classifyError('boom')).toEqual({ outcome: 'failed', retryable: false, detail: 'non-error thrown: boom' });
    expect(classifyError(undefined)).toMatchObject({ retryable: false, detail: 'non-error thrown: undefined' });
  });

  it('redacts registered secrets, flattens and bounds the detail', () => {
    registerSecret('sk-live-4a5b6c7d8e');
    const outcome = classifyError(new Error(`request failed\nAuthorization: Bearer sk-live-4a5b6c7d8e\n${'x'.repeat(1000)}`));
    expect(outcome.detail).toMatch(/^request failed Authorization: Bearer \[REDACTED\] x+…$/);
    expect(outcome.detail.length).toBeLessThanOrEqual(300);
  });
});

describe('retryableStatus', () => {
  it.each([
    [408, true],
    [425, true],
    [429, true],
    [500, true],
    [503, true],
    [599, true],
    [200, false],
    [301, false],
    [400, false],
    [401, false],
    [404, false],
    [409, false],
    [422, false],
  ])('%i -> %s', (status, expected) => {
    expect(retryableStatus(status)).toBe(expected);
  });
});
