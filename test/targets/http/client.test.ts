// The shared HTTP helper of HTTP targets, against a scripted server on 127.0.0.1.
import { registerSecret } from '../../../shared/log';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequest as rawHttpRequest, MAX_RESPONSE_BYTES, USER_AGENT, type HttpRequest } from '../../../shared/http';
import { isNonPublicAddress, OutboundPolicyError, publicOnlyLookup } from '../../../shared/outbound';
import { checkUrl, outcomeFromResponse, parseRetryAfter } from '../../../shared/targets/http/client';
import { startScriptedServer, type RecordedRequest, type ScriptedServer } from '../../support/http-server';

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

/** The scripted server is on 127.0.0.1: these requests allow it, as a target would with allowPrivateNetwork: true. */
const httpRequest = (request: HttpRequest) => rawHttpRequest({ allowPrivateNetwork: true, ...request });

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

  it('keeps connections alive between requests', async () => {
    const ports = new Set<number>();
    const keepAlive = createServer((req, res) => {
      ports.add(req.socket.remotePort ?? 0);
      res.end('ok');
    });
    const url = await listen(keepAlive);
    try {
      for (let i = 0; i < 5; i += 1) await httpRequest({ method: 'POST', url, body: { i } });
      expect(ports.size).toBe(1);
    } finally {
      keepAlive.closeAllConnections();
      keepAlive.close();
    }
  });
});

/** Listens on 127.0.0.1; the URL. */
async function listen(target: Server): Promise<string> {
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
}

describe('response bodies are read up to MAX_RESPONSE_BYTES', () => {
  let huge: Server;
  let url: string;
  let written = 0;
  beforeAll(async () => {
    // /big: 64 MiB; /endless: writes until the client goes away (bounded at 1 GiB).
    huge = createServer((req, res) => {
      written = 0;
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const limit = req.url === '/big' ? 64 * 1024 * 1024 : 1024 * 1024 * 1024;
      res.writeHead(200, req.url === '/big' ? { 'content-length': String(limit) } : {});
      const pump = () => {
        while (written < limit && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => res.destroy());
      pump();
    });
    url = await listen(huge);
  });
  afterAll(() => {
    huge.closeAllConnections();
    huge.close();
  });

  it.each(['/big', '/endless'])('%s: the first MAX_RESPONSE_BYTES, the rest discarded unread', async (path) => {
    const res = await httpRequest({ method: 'GET', url: `${url}${path}` });
    expect(res.status).toBe(200);
    expect(res.truncated).toBe(true);
    expect(res.text.length).toBe(MAX_RESPONSE_BYTES);
    // The connection was closed long before the server could write it all.
    expect(written).toBeLessThan(32 * 1024 * 1024);
  });

  it('a body of exactly MAX_RESPONSE_BYTES is whole', async () => {
    server.respondWith({ status: 200, body: 'y'.repeat(MAX_RESPONSE_BYTES) });
    const res = await httpRequest({ method: 'GET', url: server.url });
    expect(res).toMatchObject({ truncated: false });
    expect(res.text.length).toBe(MAX_RESPONSE_BYTES);
  });
});

describe('the outbound policy', () => {
  it.each(['http://127.0.0.1:9/x', 'http://localhost:9/x', 'http://[::1]:9/x', 'http://169.254.169.254/latest/meta-data/', 'http://10.1.2.3/x', 'http://[::ffff:192.168.0.1]/x'])(
    '%s is refused before connecting unless allowPrivateNetwork',
    async (url) => {
      const before = server.requests.length;
      await expect(rawHttpRequest({ method: 'POST', url, body: {} })).rejects.toBeInstanceOf(OutboundPolicyError);
      expect(server.requests.length).toBe(before);
    },
  );

  it('refuses the scripted server without allowPrivateNetwork, and reaches it with it', async () => {
    await expect(rawHttpRequest({ method: 'POST', url: server.url, body: {} })).rejects.toMatchObject({ name: 'OutboundPolicyError' });
    expect(server.requests).toHaveLength(0);
    await expect(rawHttpRequest({ method: 'POST', url: server.url, body: {}, allowPrivateNetwork: true })).resolves.toMatchObject({ status: 200 });
  });

  it('checks the addresses a name resolves to, at connect time', async () => {
    // localhost resolves (through /etc/hosts) to loopback addresses only.
    const result = await new Promise<unknown>((resolve) => publicOnlyLookup('localhost', { all: true }, (err, address) => resolve(err ?? address)));
    expect(result).toBeInstanceOf(OutboundPolicyError);
  });

  it.each([
    ['8.8.8.8', false],
    ['1.1.1.1', false],
    ['2606:4700:4700::1111', false],
    ['127.0.0.1', true],
    ['10.0.0.1', true],
    ['172.16.0.1', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['::', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['64:ff9b::a9fe:a9fe', true],
  ])('%s is non-public: %s', (address, expected) => {
    expect(isNonPublicAddress(address)).toBe(expected);
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
    expect(outcomeFromResponse(res, `created ${(res.json() as { key: string }).key}`)).toEqual({ outcome: 'delivered', detail: 'created OPS-12' });
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
  const privateOk = { allowPrivateNetwork: true };
  it.each([
    ['https://hooks.example.com/x', {}],
    ['http://127.0.0.1:8080/x', privateOk],
    ['http://127.255.0.1/x', privateOk],
    ['http://localhost:3000/x', privateOk],
    ['http://LOCALHOST/x', privateOk],
    ['http://[::1]/x', privateOk],
    ['https://10.0.0.8/x', privateOk],
    ['http://hooks.internal/x', { allowInsecureHttp: true }],
  ])('%s is fine with %j', (url, policy) => {
    expect(checkUrl(url, policy)).toBeUndefined();
  });

  it.each([
    ['http://127.0.0.1:8080/x', '127.0.0.1'],
    ['https://localhost/x', 'localhost'],
    ['https://169.254.169.254/latest', '169.254.169.254'],
    ['https://[fd00::1]/x', 'fd00::1'],
    ['https://192.168.0.10/x', '192.168.0.10'],
  ])('%s is refused without allowPrivateNetwork', (url, host) => {
    expect(checkUrl(url)).toBe(`points to ${host}, not a public address: set allowPrivateNetwork: true on the target to allow it`);
  });

  it.each([
    ['http://hooks.example.com/x', 'must use https: plain http is allowed only to a loopback address, or with allowInsecureHttp: true'],
    ['http://128.0.0.1/x', 'must use https: plain http is allowed only to a loopback address, or with allowInsecureHttp: true'],
    ['http://[::2]/x', 'must use https: plain http is allowed only to a loopback address, or with allowInsecureHttp: true'],
    ['http://localhost.example.com/x', 'must use https: plain http is allowed only to a loopback address, or with allowInsecureHttp: true'],
    ['ftp://example.com/x', 'must be an https URL, not ftp'],
    ['hooks.example.com/x', 'is not a valid absolute URL'],
  ])('%s is refused', (url, problem) => {
    expect(checkUrl(url, { allowPrivateNetwork: true })).toBe(problem);
  });
});
