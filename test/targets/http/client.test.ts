// The shared HTTP helper of HTTP targets, against a scripted server on 127.0.0.1.
import { registerSecret } from '../../../shared/log';
import { checkUrl, httpRequest, outcomeFromResponse, parseRetryAfter, USER_AGENT } from '../../../shared/targets/http/client';
import { startScriptedServer, type RecordedRequest, type ScriptedServer } from '../../support/http-server';

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const lastRequest = () => server.requests.at(-1) as RecordedRequest;

describe('httpRequest', () => {
  it('sends an object as JSON with a user agent', async () => {
    server.respondWith({ status: 201, body: { id: 'T-1' } });
    const res = await httpRequest({ method: 'POST', url: `${server.url}/api`, headers: { 'X-Key': 'k' }, body: { a: 1 } });

    expect(res.status).toBe(201);
    expect(res.json()).toEqual({ id: 'T-1' });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(lastRequest()).toMatchObject({ method: 'POST', url: '/api', body: '{"a":1}' });
    expect(lastRequest().headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': USER_AGENT, 'x-key': 'k' });
  });

  it('sends a string as is and keeps a configured content type', async () => {
    server.respondWith({ status: 200, body: 'ok' });
    const res = await httpRequest({ method: 'PUT', url: server.url, headers: { 'Content-Type': 'text/plain' }, body: 'a=b' });

    expect(res.text).toBe('ok');
    expect(() => res.json()).toThrow(SyntaxError);
    expect(lastRequest()).toMatchObject({ method: 'PUT', body: 'a=b' });
    expect(lastRequest().headers['content-type']).toBe('text/plain');
  });

  it('does not follow redirects', async () => {
    server.respondWith({ status: 302, headers: { location: `${server.url}/elsewhere` } });
    const res = await httpRequest({ method: 'POST', url: `${server.url}/hook`, body: {} });

    expect(res.status).toBe(302);
    expect(server.requests.map((request) => request.url)).toEqual(['/hook']);
    expect(outcomeFromResponse(res)).toEqual({ outcome: 'failed', retryable: false, detail: 'HTTP 302: redirect not followed, check the URL' });
  });

  it('rejects when its signal aborts', async () => {
    server.respondWith('hang');
    await expect(httpRequest({ method: 'GET', url: server.url, signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});

describe('outcomeFromResponse', () => {
  const respond = async (status: number, body = '', headers: Record<string, string> = {}) => {
    server.respondWith({ status, body, headers });
    return outcomeFromResponse(await httpRequest({ method: 'POST', url: server.url, body: {} }));
  };

  it.each([200, 201, 202, 204])('%i is delivered', async (status) => {
    expect(await respond(status)).toEqual({ outcome: 'delivered', detail: `HTTP ${status}` });
  });

  it('uses the given detail on success', async () => {
    server.respondWith({ status: 200, body: { key: 'OPS-12' } });
    const res = await httpRequest({ method: 'POST', url: server.url, body: {} });
    expect(outcomeFromResponse(res, `created ${res.json<{ key: string }>().key}`)).toEqual({ outcome: 'delivered', detail: 'created OPS-12' });
  });

  it.each([408, 425, 429, 500, 502, 503, 504])('%i is failed and retryable', async (status) => {
    expect(await respond(status, 'try later')).toEqual({ outcome: 'failed', retryable: true, detail: `HTTP ${status}: try later` });
  });

  it.each([400, 401, 403, 404, 409, 410, 413, 422])('%i is failed for good', async (status) => {
    expect(await respond(status, '{"error":"nope"}')).toEqual({ outcome: 'failed', retryable: false, detail: `HTTP ${status}: {"error":"nope"}` });
  });

  it('carries Retry-After in seconds', async () => {
    expect(await respond(429, '', { 'Retry-After': '7' })).toEqual({ outcome: 'failed', retryable: true, detail: 'HTTP 429', retryAfterMs: 7000 });
  });

  it('carries Retry-After as an HTTP date', async () => {
    const outcome = await respond(503, '', { 'Retry-After': new Date(Date.now() + 30_000).toUTCString() });
    const retryAfterMs = outcome.outcome === 'failed' ? outcome.retryAfterMs : undefined;
    // An HTTP date has whole seconds: between 29 and 30 seconds from now.
    expect(retryAfterMs).toBeGreaterThan(28_000);
    expect(retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('keeps a short, one-line, redacted excerpt of the body', async () => {
    registerSecret('xoxb-123-456-secret');
    const outcome = await respond(400, `<html>\n<body>invalid token xoxb-123-456-secret</body>\n${'padding '.repeat(500)}</html>`);
    expect(outcome.detail).toMatch(/^HTTP 400: <html> <body>invalid token \[REDACTED\]<\/body> padding .*…$/);
    expect(outcome.detail!.length).toBeLessThanOrEqual('HTTP 400: '.length + 200);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it.each([
    ['0', 0],
    ['120', 120_000],
    [' 3 ', 3000],
    ['Wed, 01 Jan 2025 00:00:10 GMT', 10_000],
    ['Tue, 31 Dec 2024 23:59:00 GMT', 0],
  ])('%j -> %i ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([null, undefined, '', 'soon', '-5', '1.5'])('%j -> undefined', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('checkUrl', () => {
  it.each([
    ['https://hooks.example.com/x', false],
    ['http://127.0.0.1:8080/x', false],
    ['http://127.255.0.1/x', false],
    ['http://localhost:3000/x', false],
    ['http://LOCALHOST/x', false],
    ['http://[::1]/x', false],
    ['http://hooks.internal/x', true],
  ])('%s is fine', (url, insecure) => {
    expect(checkUrl(url, insecure)).toBeUndefined();
  });

  it.each([
    ['http://hooks.example.com/x', 'must use https: plain http is allowed only to a loopback address, or with allowInsecureHttp: true'],
    ['http://128.0.0.1/x', 'must use https: plain http is allowed only to a loopback address, or with allowInsecureHttp: true'],
    ['http://[::2]/x', 'must use https: plain http is allowed only to a loopback address, or with allowInsecureHttp: true'],
    ['http://localhost.example.com/x', 'must use https: plain http is allowed only to a loopback address, or with allowInsecureHttp: true'],
    ['ftp://example.com/x', 'must be an https URL, not ftp'],
    ['hooks.example.com/x', 'is not a valid absolute URL'],
  ])('%s is refused', (url, problem) => {
    expect(checkUrl(url, false)).toBe(problem);
  });
});
