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
  return keepNetworkErrorCodes(client);
}

type Handler = (args: unknown) => Promise<unknown>;
/** The one method of an SDK v3 middleware stack used here (its own types are overloaded generics). */
type AddMiddleware = (middleware: (next: Handler) => Handler, options: { step: 'deserialize'; name: string }) => void;

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
