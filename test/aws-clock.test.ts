// A machine whose clock is off: AWS refuses a signature more than 5 minutes from its own
// time. shared/aws.ts learns the server's time from its answers' Date, as the SDK's signer
// does, and sends a request refused that way once more, signed with the corrected time. The
// fakes refuse as the services do (test/support/fakes/aws.ts). What was learned lives in the
// module, so every test loads it afresh.
import { sigV4Headers, type AwsRequest } from '../shared/aws';
import { AWS_CREDENTIALS, AWS_ENV, signatureTimeError, startEventBridgeFake, startLambdaFake, startSnsFake, verifySigV4, type AwsFakeOptions } from './support/fakes/aws';
import { useEnv } from './support/fakes/deliver';
import { startScriptedServer, type RecordedRequest, type ScriptedServer, type ScriptedServerOptions } from './support/http-server';

const HOUR = 3_600_000;

/** shared/aws.ts as a new process has it: nothing learned of any clock. */
async function freshAws(): Promise<typeof import('../shared/aws')> {
  jest.resetModules();
  return import('../shared/aws');
}

/** The time a request was signed at (its x-amz-date), against the server's clock when it arrived. */
function signedOffBy(request: RecordedRequest, clockOffsetMs: number): number {
  const stamp = String(request.headers['x-amz-date']);
  const signedAt = Date.parse(`${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13)}`);
  return signedAt - (request.receivedAt + clockOffsetMs);
}

const call = (service: string, server: ScriptedServer): AwsRequest => ({
  service,
  region: 'us-east-1',
  endpoint: server.url,
  method: 'POST',
  path: '/',
  headers: { 'content-type': 'application/x-amz-json-1.1' },
  body: '{}',
  signal: AbortSignal.timeout(5000),
});

describe('AWS: a clock that is off', () => {
  useEnv(AWS_ENV);
  const servers: ScriptedServer[] = [];
  const started = async (server: Promise<ScriptedServer>) => {
    servers.push(await server);
    return servers.at(-1)!;
  };
  const scripted = (options: ScriptedServerOptions) => started(startScriptedServer(options));
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  const fakes: [string, string, (options: AwsFakeOptions) => Promise<ScriptedServer>, number, number][] = [
    ['SNS, its clock an hour ahead', 'sns', startSnsFake, HOUR, 403],
    ['EventBridge, its clock ten minutes behind', 'events', startEventBridgeFake, -10 * 60_000, 400],
    ['Lambda, its clock a day ahead', 'lambda', startLambdaFake, 24 * HOUR, 403],
  ];

  it.each(fakes)('%s: the refused request is signed again with its time, the next one right at once', async (_label, service, fake, offset, status) => {
    const server = await started(fake({ clockOffsetMs: offset }));
    // What the service answers a request signed with this machine's time.
    const url = new URL(server.url);
    const refusal = await fetch(url, { method: 'POST', body: '{}', headers: sigV4Headers({ method: 'POST', url, headers: {}, body: '{}', service, region: 'us-east-1', credentials: AWS_CREDENTIALS }) });
    expect([refusal.status, await refusal.text()]).toEqual([status, expect.stringMatching(/Signature (expired|not yet current): \d{8}T\d{6}Z is (now earlier|still later) than/)]);
    server.requests.length = 0;

    const { awsRequest } = await freshAws();
    expect((await awsRequest(call(service, server))).status).toBeLessThan(300);
    expect((await awsRequest(call(service, server))).status).toBeLessThan(300);

    expect(server.requests).toHaveLength(3);
    const [refused, again, next] = server.requests as [RecordedRequest, RecordedRequest, RecordedRequest];
    expect(Math.abs(signedOffBy(refused, offset))).toBeGreaterThan(5 * 60_000);
    for (const request of [again, next]) {
      expect(Math.abs(signedOffBy(request, offset))).toBeLessThan(5000);
      expect(verifySigV4(request, AWS_CREDENTIALS.secretAccessKey)?.valid).toBe(true);
    }
  });

  it('a refusal from a service whose clock is within the window stands: sent once', async () => {
    const server = await started(startSnsFake({ clockOffsetMs: 2 * 60_000 }));
    server.respondWith({ status: 403, headers: { 'content-type': 'text/xml' }, body: '<ErrorResponse><Error><Code>AuthorizationError</Code><Message>not allowed</Message></Error></ErrorResponse>' });
    const { awsRequest } = await freshAws();
    expect((await awsRequest(call('sns', server))).status).toBe(403);
    expect(server.requests).toHaveLength(1);
  });

  it('sends a request once more at most, however far the clock moves', async () => {
    let hours = 0;
    const server = await scripted({ now: () => Date.now() + (hours += 1) * HOUR, validate: () => ({ status: 403, body: { message: 'Signature expired' } }) });
    const { awsRequest } = await freshAws();
    expect((await awsRequest(call('sns', server))).status).toBe(403);
    expect(server.requests).toHaveLength(2);
  });

  it('does not send again what may have been processed (a 5xx), nor learn from a cached answer (Age)', async () => {
    const failing = await scripted({ now: () => Date.now() + HOUR, validate: () => ({ status: 503, body: { __type: 'ServiceUnavailableException' } }) });
    const cached = await scripted({ now: () => Date.now() + HOUR, validate: () => ({ status: 403, headers: { age: '12' }, body: { message: 'Signature expired' } }) });
    const { awsRequest } = await freshAws();
    expect((await awsRequest(call('events', cached))).status).toBe(403);
    expect((await awsRequest(call('events', failing))).status).toBe(503);
    // The 5xx taught the time: a request to the cached one is now signed with it.
    expect((await awsRequest(call('events', cached))).status).toBe(403);
    expect([cached.requests.length, failing.requests.length]).toEqual([2, 1]);
    expect(Math.abs(signedOffBy(cached.requests[0]!, HOUR))).toBeGreaterThan(HOUR - 5000);
    expect(Math.abs(signedOffBy(cached.requests[1]!, HOUR))).toBeLessThan(5000);
  });

  it('the DynamoDB store writes through a refusal for the time (400 InvalidSignatureException)', async () => {
    const offset = -2 * HOUR;
    const now = () => Date.now() + offset;
    const server = await scripted({
      now,
      validate(req) {
        const expired = signatureTimeError(req, now());
        return expired ? { status: 400, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: { __type: 'com.amazon.coral.service#InvalidSignatureException', message: expired } } : undefined;
      },
    });
    server.respondWith({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: {} });
    jest.resetModules();
    const { createStore } = await import('../shared/state/store');
    const { stateSettings } = await import('../shared/state/settings');
    const store = await createStore(stateSettings.parse({ store: 'dynamodb', table: 'alert-router-state', endpoint: server.url, timeoutMs: 2000 }));
    const written = await store.put({ space: 'ledger', key: 'k', value: { a: 1 }, expect: { absent: true }, expiresAt: Math.ceil(Date.now() / 1000) + 60, now: Date.now() });
    expect(written.written).toBe(true);
    expect(server.requests.map((request) => Math.abs(signedOffBy(request, offset)) < 5000)).toEqual([false, true]);
  });
});
