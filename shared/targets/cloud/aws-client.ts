// What the AWS targets (sns, aws-eventbridge, lambda-invoke) share: the region and endpoint
// settings and the client configuration built from them. No SDK is imported here: each
// target imports its own client inside create().
import { z } from 'zod';

/** Settings every AWS target takes besides its own keys. */
export const awsClientSettings = {
  /** Defaults to the region of the target's ARN, else the SDK's (AWS_REGION). */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as us-east-1')
    .optional(),
  /** Overrides the service's regional endpoint (VPC endpoint, a local emulator, tests). */
  endpoint: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
};

export interface AwsClientSettings {
  region?: string;
  endpoint?: string;
}

/** `arn:partition:service:region:account:resource` -> region, when the ARN names one. */
export function regionFromArn(value: string): string | undefined {
  const parts = value.split(':');
  return parts[0] === 'arn' && parts.length >= 6 && parts[3] ? parts[3] : undefined;
}

type ClientConfig = { maxAttempts: number; region?: string; endpoint?: string };

/**
 * An AWS SDK v3 client for a target. Credentials come from the SDK's default provider
 * chain (the Lambda role, AWS_* variables...), so none are passed. The region is the
 * setting, else the ARN's, else the SDK's own (AWS_REGION).
 * `maxAttempts: 1` turns the SDK's own retries off: dispatch owns retries and their
 * budget, and two retry loops would multiply attempts past the function's deadline.
 */
export function createAwsClient<C extends { middlewareStack: object }>(
  Client: new (config: ClientConfig) => C,
  settings: AwsClientSettings,
  arn?: string,
): C {
  const region = settings.region ?? (arn === undefined ? undefined : regionFromArn(arn));
  const client = new Client({
    maxAttempts: 1,
    ...(region ? { region } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  });
  return readBodyAtOnce(keepNetworkErrorCodes(client));
}

type Handler = (args: unknown) => Promise<unknown>;
/** The one method of an SDK v3 middleware stack used here (its own types are overloaded generics). */
type AddMiddleware = (middleware: (next: Handler) => Handler, options: { step: 'deserialize'; name: string; priority?: 'low' }) => void;

/**
 * Keeps the code of network errors raised in another realm. The SDK's retry middleware
 * (present even with maxAttempts 1) rewraps anything that is not `instanceof Error` into
 * "AWS SDK error wrapper for ...", dropping `code`: a socket error from Node's net module
 * seen from a vm sandbox (jest's) would turn a refused connection into a permanent
 * failure. Copying it into this realm's Error below the retry middleware keeps ECONNREFUSED
 * and friends for classifyError.
 */
function keepNetworkErrorCodes<C extends { middlewareStack: object }>(client: C): C {
  (client.middlewareStack as { add: AddMiddleware }).add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (err instanceof Error || typeof err !== 'object' || err === null) throw err;
        throw Object.assign(new Error(String((err as { message?: unknown }).message)), err);
      }
    },
    { step: 'deserialize', name: 'keepNetworkErrorCodes' },
  );
  return client;
}

/**
 * Reads the response body into bytes as soon as the request handler returns it, below the
 * deserializer, which then finds bytes instead of the socket's stream. The three operations
 * read their whole body anyway (none streams its output). Two things change:
 * - Memory. The SDK's own stream collector pipes each response into a new Writable, and with
 *   it each invocation's objects outlive the next young-generation collection and are
 *   promoted (measured on the AWS targets fixture: about 0.6 MB a scavenge, 92% of the
 *   survivors; the same read without the Writable, here: about 20 KB). That promoted garbage
 *   fills the old generation between full collections and makes V8 grow its young
 *   generation after a few hundred invocations (bench/README.md, peak memory).
 * - A connection dropped in the middle of the body fails with its network code (ECONNRESET:
 *   retryable) instead of as a deserialization error of an HTTP 200 (permanent).
 */
function readBodyAtOnce<C extends { middlewareStack: object }>(client: C): C {
  (client.middlewareStack as { add: AddMiddleware }).add(
    (next) => async (args) => {
      const out = (await next(args)) as { response?: { body?: unknown } };
      const body = out.response?.body;
      if (out.response && isNodeStream(body)) out.response.body = await readAll(body);
      return out;
    },
    // Low: innermost of the deserialize step, between the deserializer and the request handler.
    { step: 'deserialize', name: 'readBodyAtOnce', priority: 'low' },
  );
  return client;
}

function isNodeStream(value: unknown): value is AsyncIterable<Uint8Array> & { pipe: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { pipe?: unknown }).pipe === 'function' && Symbol.asyncIterator in value;
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
}
