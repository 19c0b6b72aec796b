// What the AWS targets (sns, aws-eventbridge, lambda-invoke) share: the region and endpoint
// settings, the API of a target (its region and endpoint resolved once, every request
// signed and sent by shared/aws.ts), and the failure of an answer outside 2xx.
import { z } from 'zod';
import { awsJsonError, awsRequest, resolveAwsEndpoint } from '../../aws';
import type { HttpResponse } from '../../http';
import { classifyError, retryableStatus, type Failure } from '../errors';
import { describeResponse, parseRetryAfter } from '../http/client';

/** Settings every AWS target takes besides its own keys. */
export const awsClientSettings = {
  /** Defaults to the region of the target's ARN, else AWS_REGION (AWS_DEFAULT_REGION). */
  region: z
    .string()
    .regex(/^[a-z]{2,4}(-[a-z]+)+-\d+$/, 'an AWS region such as us-east-1')
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

/** A request of a target's API: what differs from one call to the next. */
export interface AwsCall {
  method: 'POST';
  /** Path and query, already percent-encoded (`/2015-03-31/functions/NAME/invocations?Qualifier=live`). */
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** One AWS API of a target: signs and sends its requests. */
export interface AwsApi {
  /** The answer, whatever its status; throws when nothing came back (network, abort) or it cannot sign. */
  send(call: AwsCall, signal: AbortSignal): Promise<HttpResponse>;
}

/**
 * The API of `service` for a target: the region is the setting, else the ARN's, else
 * AWS_REGION (AWS_DEFAULT_REGION); the endpoint is the setting, else what the SDK's
 * environment variables configure, else the region's (resolveAwsEndpoint).
 */
export function awsApi(service: string, settings: AwsClientSettings, arn?: string, env: NodeJS.ProcessEnv = process.env): AwsApi {
  const region = settings.region ?? (arn === undefined ? undefined : regionFromArn(arn)) ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION);
  const endpoint = resolveAwsEndpoint(service, region, settings.endpoint, env);
  return {
    send(call, signal) {
      if (!region || !endpoint) return Promise.reject(new Error(`no AWS region for ${service}: set the target's region, or AWS_REGION`));
      return awsRequest({ ...call, service, region, endpoint, signal }, env);
    },
  };
}

/** The text of the first `<tag>` of an XML answer, its entities decoded; undefined without one. */
export function xmlText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  if (!match) return undefined;
  return (match[1] ?? '').replace(/&(#x[0-9a-fA-F]+|#\d+|quot|amp|apos|lt|gt);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return { quot: '"', amp: '&', apos: "'", lt: '<', gt: '>' }[entity] ?? '';
  });
}

/**
 * The failure of an answer outside 2xx, named by its error code: the Query protocol's
 * `<Error><Code>`, the JSON protocols' error type. Throttling and busy codes, 408, 429 and
 * 5xx are retryable (errors.ts); an answer with no code (a gateway's page) is judged by its
 * status alone.
 */
export function awsFailure(res: HttpResponse, protocol: 'query' | 'json'): Failure {
  const { code, message } = protocol === 'query' ? { code: xmlText(res.text, 'Code'), message: xmlText(res.text, 'Message') } : awsJsonError(res);
  const failure: Failure = code
    ? classifyError({ name: code, message: message ?? '', $metadata: { httpStatusCode: res.status } })
    : { outcome: 'failed', retryable: retryableStatus(res.status), detail: describeResponse(res) };
  const retryAfterMs = failure.retryable ? parseRetryAfter(res.headers.get('retry-after')) : undefined;
  return retryAfterMs === undefined ? failure : { ...failure, retryAfterMs };
}
