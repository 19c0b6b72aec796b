// The base of the stateful fakes (PagerDuty, Jira, ServiceNow): a server on 127.0.0.1 whose
// `ok` mode is an async handler implementing the service's API subset, and whose other
// conformance modes answer every request with the service's own error shape (or hang).
// close() also ends hanging requests, so a suite never waits on its own fake.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { echoBody, type FakeService, type ServiceMode } from '../../targets/conformance';

export interface FakeRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** A lookup that changed nothing (search, list): not counted by requests(), see below. */
  read?: boolean;
}

export type FakeHandler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

/**
 * What one scripted request gets: a conformance mode, or `lost`: the service does the work
 * but the response never arrives (a timeout after a successful create).
 */
export type Step = ServiceMode | 'lost';

export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request received, in order. */
  received: FakeRequest[];
  respondWith(mode: ServiceMode): void;
  /** Scripts the next requests, one step each; then the mode of respondWith applies again. */
  nextResponses(...steps: Step[]): void;
  /**
   * Requests that had an effect or failed: writes, and any request answered with an error or
   * left hanging. Successful lookups are not counted: the conformance suite's "one request
   * per delivery" is about side effects, and these targets look their ticket up first.
   */
  requests(): number;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

export async function startFakeServer(handler: FakeHandler, errors: Record<Exclude<ServiceMode, 'ok' | 'hang' | 'echo'>, FakeReply>): Promise<FakeServer> {
  const received: FakeRequest[] = [];
  let mode: ServiceMode = 'ok';
  let steps: Step[] = [];
  let reads = 0;

  const answer = async (req: FakeRequest): Promise<FakeReply | 'hang'> => {
    const step = steps.shift() ?? mode;
    if (step === 'hang') return 'hang';
    if (step === 'echo') {
      const url = `${req.path}${req.query.size > 0 ? `?${req.query}` : ''}`;
      return { status: 400, headers: { 'content-type': 'text/plain' }, body: echoBody({ ...req, url }) };
    }
    if (step !== 'ok' && step !== 'lost') return errors[step];
    let reply: FakeReply;
    try {
      reply = await handler(req);
    } catch (err) {
      reply = { status: 500, body: { error: `fake service bug: ${(err as Error).message}` } };
    }
    return step === 'lost' ? 'hang' : reply;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request: FakeRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      if (size > MAX_BODY) {
        send(res, { status: 413, body: { error: 'request body too large' } });
        return;
      }
      void answer(request).then((reply) => {
        if (reply === 'hang') return;
        if (reply.read && reply.status >= 200 && reply.status <= 299) reads += 1;
        send(res, reply);
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respondWith(next) {
      mode = next;
      steps = [];
    },
    nextResponses(...next) {
      steps = [...next];
    },
    requests: () => received.length - reads,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function send(res: ServerResponse, reply: FakeReply): void {
  const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const headers: Record<string, string> = { ...reply.headers };
  if (body && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['content-type'] = typeof reply.body === 'string' ? 'text/plain' : 'application/json';
  }
  res.writeHead(reply.status, headers);
  res.end(body);
}

/** The JSON body of a request, or undefined when it is not JSON. */
export function jsonBody(req: FakeRequest): unknown {
  try {
    return JSON.parse(req.body) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The HTTP basic credentials of a request, or undefined. */
export function basicCredentials(req: FakeRequest): { user: string; password: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The conformance view of a fake: settings pointing at it, and the secrets that must not leak. */
export function conformanceService(server: FakeServer, settings: Record<string, unknown>, secrets: string[]): FakeService {
  return {
    settings,
    secrets,
    respondWith: (mode) => server.respondWith(mode),
    requests: () => server.requests(),
    stop: () => server.close(),
  };
}

/**
 * Holds requests until `count` of them have arrived, then lets them all through: two
 * deliveries racing past a lookup, made deterministic.
 */
export class Gate {
  private held: { count: number; waiting: (() => void)[] } | undefined;

  hold(count: number): void {
    this.held = { count, waiting: [] };
  }

  async pass(): Promise<void> {
    const held = this.held;
    if (!held) return;
    await new Promise<void>((resolve) => {
      held.waiting.push(resolve);
      if (held.waiting.length < held.count) return;
      this.held = undefined;
      for (const release of held.waiting) release();
    });
  }
}
