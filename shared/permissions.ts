// The permissions a target or state store type declares for the build: which cloud API
// actions it performs on which resources. Types only; scripts/permissions.ts turns them
// into IAM and RAM statements.

/**
 * A component's settings as written in router.yaml (a target's, or the state store's), for
 * the build (scripts/permissions.ts) to derive a least-privilege policy from: a setting that names a resource must be a literal,
 * since a policy cannot follow a ${env:...} reference; the build's errors name the file.
 */
export interface WrittenSettings {
  /** The literal string value of `key`, or undefined when it is not set. */
  optional(key: string): string | undefined;
  /** The literal string value of `key`; refuses the config when it is not set. */
  required(key: string, what?: string): string;
  /** Refuses the config: `key` is set to something no policy can be derived from. */
  invalid(key: string, problem: string): never;
}

/**
 * An AWS resource: a full ARN, or one in the deploying stack's partition whose region and
 * account default to the stack's (`resource` is the part after ACCOUNT:).
 */
export type AwsResource = string | { service: string; resource: string; region?: string; account?: string };

/** An Alibaba Cloud resource, `acs:SERVICE:REGION:ACCOUNT:RESOURCE`; region and account default to the functions'. */
export interface AlibabaResource {
  service: string;
  resource: string;
  region?: string;
  account?: string;
}

export interface Grant<R> {
  action: string;
  resources: R[];
}

/**
 * The cloud API actions a component performs, on the resources its settings name: the build
 * adds them to the function's role (IAM on AWS, RAM on Alibaba Cloud). They live with the
 * target or store type, so that code calling a cloud API cannot ship without its grant.
 */
export interface CloudPermissions {
  aws?(settings: WrittenSettings): Grant<AwsResource>[];
  alibaba?(settings: WrittenSettings): Grant<AlibabaResource>[];
}
