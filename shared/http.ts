// The project's HTTP client: node:http(s) with keep-alive agents (the global fetch costs
// ~100 ms of CPU on its first call), every response body read up to a cap and the rest
// discarded, redirects never followed, and the outbound policy (outbound.ts) applied at
// connect time unless the caller allows private addresses. The targets that take a URL send
// through it (targets/http/client.ts adds how an answer becomes an Outcome), and so do the
// cloud targets and the DynamoDB store, with their signed requests.
import { Agent as HttpAgent, request as httpRequestRaw, type IncomingMessage, type RequestOptions } from 'node:http';
import { isIP } from 'node:net';
import { isLocalhostName, isNonPublicAddress, OutboundPolicyError, publicOnlyLookup } from './outbound';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  /** Header names in any case; ours (user-agent, content-type, content-length) are added when absent. */
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON (with a JSON content type unless one is set). */
  body?: string | object;
  /** The attempt's signal (AttemptContext.signal): aborts the request and the body read. */
  signal?: AbortSignal;
  /** The target's `allowPrivateNetwork`: connect to private, loopback and link-local addresses too. */
  allowPrivateNetwork?: boolean;
  /** How much of the body to read (default MAX_RESPONSE_BYTES): more for an API whose answers are larger. */
  maxResponseBytes?: number;
}

/** Response headers, looked up by name in any case; a repeated header is joined with `, `. */
export class ResponseHeaders {
  constructor(private readonly raw: IncomingMessage['headers'] = {}) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  /** The body as UTF-8 text, at most the cap (MAX_RESPONSE_BYTES) of it. */
  text: string;
  /** True when the body was longer than the cap (MAX_RESPONSE_BYTES): the rest was discarded unread. */
  truncated: boolean;
  /** The body parsed as JSON; throws a SyntaxError when it is not JSON (or was truncated). */
  json(): unknown;
}

/**
 * The value at `path` in a parsed answer (`jsonAt(body, 'fields', 'status')`), or undefined
 * where a step is missing or not an object: a service's answer is read without trusting its shape.
 */
export function jsonAt(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export const USER_AGENT = 'alert-router/1';

/**
 * How much of a response body is read: ample for any service's answer or error (the largest,
 * a Jira search page, is a few KB), small enough that a server answering with an endless body
 * cannot exhaust a function's memory. The rest is discarded and the connection closed.
 */
export const MAX_RESPONSE_BYTES = 256 * 1024;

/**
 * One keep-alive agent per protocol and policy: a socket opened for a target that allows
 * private addresses is never reused by one that does not.
 */
const agentOptions = { keepAlive: true, scheduling: 'lifo' as const, maxFreeSockets: 16 };
const agents = new Map<string, HttpAgent>();

let https: typeof import('node:https') | undefined;
/** node:https (and TLS under it, a few ms of a cold start) is loaded by the first https request. */
function httpsModule(): typeof import('node:https') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load, on purpose
  return (https ??= require('node:https') as typeof import('node:https'));
}

function agentFor(allowPrivate: boolean, secure: boolean): HttpAgent {
  const key = `${allowPrivate ? 'private' : 'public'}/${secure ? 'https' : 'http'}`;
  let agent = agents.get(key);
  if (!agent) {
    const options = allowPrivate ? agentOptions : { ...agentOptions, lookup: publicOnlyLookup };
    agent = secure ? new (httpsModule().Agent)(options) : new HttpAgent(options);
    agents.set(key, agent);
  }
  return agent;
}

function requestHeaders(request: HttpRequest): { headers: Record<string, string>; body: Buffer | undefined } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['user-agent'] ??= USER_AGENT;
  let body: Buffer | undefined;
  if (typeof request.body === 'string') {
    body = Buffer.from(request.body, 'utf8');
  } else if (request.body !== undefined) {
    body = Buffer.from(JSON.stringify(request.body), 'utf8');
    headers['content-type'] ??= 'application/json';
  }
  if (body !== undefined) headers['content-length'] = String(body.length);
  return { headers, body };
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  // AbortSignal.timeout() and abort() give a DOMException (TimeoutError, AbortError).
  if (reason instanceof Error || reason instanceof DOMException) return reason;
  const error = new Error('the request was aborted');
  error.name = 'AbortError';
  return error;
}

/** Reads at most `cap` bytes of the body; past that the response is destroyed (the rest never read). */
function readCapped(res: IncomingMessage, cap: number): Promise<{ text: string; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (truncated: boolean) => {
      settled = true;
      resolve({ text: Buffer.concat(chunks).toString('utf8'), truncated });
    };
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    res.on('data', (chunk: Buffer) => {
      if (settled) return;
      const room = cap - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        finish(true);
        res.destroy();
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    res.once('end', () => {
      if (!settled) finish(false);
    });
    res.once('error', fail);
    res.once('close', () => {
      fail(Object.assign(new Error('the connection closed before the response ended'), { code: 'ECONNRESET' }));
    });
  });
}

export function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const url = new URL(request.url);
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const allowPrivate = request.allowPrivateNetwork === true;
  // Node connects to an IP literal without a lookup: check it here.
  if (!allowPrivate && ((isIP(host) !== 0 && isNonPublicAddress(host)) || isLocalhostName(host))) {
    return Promise.reject(new OutboundPolicyError(host));
  }
  const signal = request.signal;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const { headers, body } = requestHeaders(request);
  const options: RequestOptions = {
    method: request.method,
    protocol: url.protocol,
    hostname: host,
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    headers,
    agent: agentFor(allowPrivate, secure),
    // Credentials in the URL (`https://user:pass@host/`, as Alertmanager's webhook URLs may
    // carry) go as Basic authentication, as curl and Go's client send them; node:http leaves
    // an Authorization header the request sets itself in place.
    ...(url.username || url.password ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
  };
  return new Promise<HttpResponse>((resolve, reject) => {
    let response: IncomingMessage | undefined;
    const onAbort = () => {
      const error = abortError(signal);
      req.destroy(error);
      response?.destroy(error);
      reject(error);
    };
    const done = () => signal?.removeEventListener('abort', onAbort);
    // A redirect is answered, not followed (node:http never follows one): following it would
    // carry our headers (tokens, signatures) to another host. outcomeFromResponse reports it.
    const req = (secure ? httpsModule().request : httpRequestRaw)(options, (res) => {
      response = res;
      readCapped(res, request.maxResponseBytes ?? MAX_RESPONSE_BYTES).then(({ text, truncated }) => {
        done();
        resolve({
          status: res.statusCode ?? 0,
          headers: new ResponseHeaders(res.headers),
          text,
          truncated,
          json: (): unknown => JSON.parse(text),
        });
      }, (err: unknown) => {
        done();
        // Node's own errors are no `instanceof Error` seen from a vm context (jest's): kept as
        // they are, with their code (ECONNRESET), not rewrapped into a bare message.
        reject(typeof err === 'object' && err !== null ? (err as Error) : new Error(String(err)));
      });
    });
    req.once('error', (err) => {
      done();
      // A kept-alive socket the server closed while it was idle (a warm function thawed after
      // a while): the request never reached the server, which a caller may retry safely,
      // even a write (Node's docs: request.reusedSocket).
      reject(req.reusedSocket && response === undefined && (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? Object.assign(err, { staleSocket: true }) : err);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}
