// A scripted HTTP server on 127.0.0.1 for target tests: it records every request (method,
// path, headers, body) and answers as scripted: by conformance mode (ok, throttle,
// server-error, client-error, hang), by explicit response, or by a function of the request.
// close() also ends hanging requests, so a suite never waits on its own fake.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { echoBody, type FakeService, type ServiceMode } from '../targets/conformance';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/hooks/alert?x=1`. */
  url: string;
  /** Lower-case header names, as Node gives them. */
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when the body was complete. */
  receivedAt: number;
  json(): unknown;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: string | object;
}

/** What to answer: a mode, 'hang' (never answer), a response, or a function of the request. */
export type Script = ServiceMode | ScriptedResponse | ((req: RecordedRequest) => ScriptedResponse | 'hang');

export interface ScriptedServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /**
   * Scripts the next responses: each request takes the next script, the last one repeats.
   * respondWith('throttle', 'ok') throttles once, then succeeds.
   */
  respondWith(...scripts: Script[]): void;
  close(): Promise<void>;
}

export interface ScriptedServerOptions {
  /** The response of each mode, for services whose success or error bodies matter (Slack, PagerDuty...). */
  modes?: Partial<Record<Exclude<ServiceMode, 'hang' | 'echo'>, ScriptedResponse>>;
  /** The service's own checks (limits, required fields), run on every request before the script: an error reply, or undefined. */
  validate?: (req: RecordedRequest) => ScriptedResponse | undefined;
  /** The server's clock, for its answers' `Date` (default: Node's, the real time). */
  now?: () => number;
}

const DEFAULT_MODES: Record<Exclude<ServiceMode, 'hang' | 'echo'>, ScriptedResponse> = {
  ok: { status: 200, body: { ok: true } },
  throttle: { status: 429, body: { error: 'rate limited' } },
  'server-error': { status: 503, body: { error: 'service unavailable' } },
  'client-error': { status: 400, body: { error: 'bad request' } },
};

const MAX_BODY = 5 * 1024 * 1024;

export async function startScriptedServer(options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const modes = { ...DEFAULT_MODES, ...options.modes };
  const requests: RecordedRequest[] = [];
  let queue: Script[] = ['ok'];

  const resolveScript = (req: RecordedRequest): ScriptedResponse | 'hang' => {
    const script = queue.length > 1 ? queue.shift()! : queue[0]!;
    if (typeof script === 'function') return script(req);
    if (script === 'hang') return 'hang';
    if (script === 'echo') return { status: 400, headers: { 'content-type': 'text/plain' }, body: echoBody(req) };
    return typeof script === 'string' ? modes[script] : script;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        receivedAt: Date.now(),
        json: () => JSON.parse(body) as unknown,
      };
      requests.push(recorded);
      const answer = options.validate?.(recorded) ?? resolveScript(recorded);
      if (answer === 'hang') return;
      if (options.now) res.setHeader('date', new Date(options.now()).toUTCString());
      send(res, answer);
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
    port,
    requests,
    respondWith(...scripts) {
      if (scripts.length === 0) throw new TypeError('respondWith needs at least one script');
      queue = [...scripts];
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging requests and keep-alive sockets would hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function send(res: ServerResponse, answer: ScriptedResponse): void {
  const isText = typeof answer.body === 'string';
  const body = answer.body === undefined ? '' : isText ? (answer.body as string) : JSON.stringify(answer.body);
  const headers: Record<string, string> = { ...answer.headers };
  if (body && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['content-type'] = isText ? 'text/plain' : 'application/json';
  }
  res.writeHead(answer.status, headers);
  res.end(body);
}

/**
 * The conformance view of a scripted server: `settings` point the target at it, `secrets`
 * are what must never leak. Most HTTP target harnesses are this one call.
 */
export function asFakeService(server: ScriptedServer, settings: Record<string, unknown>, secrets: string[] = []): FakeService {
  return {
    settings,
    secrets,
    respondWith: (mode) => server.respondWith(mode),
    lastBody: () => {
      try {
        return server.requests.at(-1)?.json();
      } catch {
        return undefined;
      }
    },
    requests: () => server.requests.length,
    stop: () => server.close(),
  };
}
