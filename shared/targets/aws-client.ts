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

/**
 * Configuration for an AWS SDK v3 client. Credentials come from the SDK's default
 * provider chain (the Lambda role, AWS_* variables...), so none are passed.
 * `maxAttempts: 1` turns the SDK's own retries off: dispatch owns retries and their
 * budget, and two retry loops would multiply attempts past the function's deadline.
 */
export function awsClientConfig(settings: AwsClientSettings, arn?: string): { maxAttempts: number; region?: string; endpoint?: string } {
  const region = settings.region ?? (arn === undefined ? undefined : regionFromArn(arn));
  return {
    maxAttempts: 1,
    ...(region ? { region } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  };
}
