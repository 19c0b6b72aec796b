// The `state:` section of router.yaml: which store keeps the delivery ledger and the alert
// state, and how long entries live. Each store kind has its own keys; the common ones are
// shared. No SDK is imported here: the schemas are read by config loading and the JSON
// Schema generator, the adapters (registry.ts) only when a config uses them.
import { z } from 'zod';

export const DEFAULT_STORE_TIMEOUT_MS = 1000;
/** The least time a listing (`router state`, on the command line) is given, whatever the store's timeout. */
export const MIN_LIST_TIMEOUT_MS = 30_000;
export const DEFAULT_LEDGER_TTL_HOURS = 7 * 24;
export const DEFAULT_ALERT_TTL_DAYS = 30;
export const DEFAULT_LOCAL_PATH = 'out/state';

const common = {
  timeoutMs: z
    .number()
    .int()
    .min(1)
    .max(60_000)
    .optional()
    .describe(`Timeout of one store call in milliseconds; past it the router delivers without the store (default ${DEFAULT_STORE_TIMEOUT_MS})`),
  ledgerTtlHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .optional()
    .describe(
      `How long a delivery ledger entry is kept; a redelivery of an event after this is sent again (default ${DEFAULT_LEDGER_TTL_HOURS}, 7 days: longer than both platforms' retry windows)`,
    ),
  alertTtlDays: z
    .number()
    .int()
    .min(1)
    .max(3650)
    .optional()
    .describe(`How long an alert's state is kept after its last event (default ${DEFAULT_ALERT_TTL_DAYS})`),
};

export const localSettings = z
  .strictObject({
    store: z.literal('local'),
    path: z
      .string()
      .min(1)
      .optional()
      .describe(`Directory of the store; relative to $ROUTER_DATA_DIR when set, else the working directory (default ${DEFAULT_LOCAL_PATH})`),
    ...common,
  })
  .describe('Embedded store: one file per record under a local directory (local runs, tests, one host)');

export const dynamodbSettings = z
  .strictObject({
    store: z.literal('dynamodb'),
    table: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, { error: 'must be a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ . -)' }),
    region: z.string().min(1).optional().describe("AWS region of the table (default: the function's region)"),
    endpoint: z.url().optional().describe('Endpoint URL, for a local DynamoDB (default: the AWS endpoint of the region)'),
    ...common,
  })
  .describe('Amazon DynamoDB table (on demand, TTL attribute expiresAt), created by serverless.yml');

export const DEFAULT_TABLESTORE_TABLE = 'alert_router_state';

export const tablestoreSettings = z
  .strictObject({
    store: z.literal('tablestore'),
    endpoint: z
      .url({ protocol: /^https?$/, error: 'must be the instance endpoint, an http(s) URL such as https://NAME.cn-hangzhou.ots.aliyuncs.com' })
      .optional()
      .describe("Endpoint of the Tablestore instance (default: $TABLESTORE_ENDPOINT, else the instance's public endpoint in $FC_REGION, the functions' region)"),
    instance: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{1,14}[A-Za-z0-9]$/, { error: 'must be a Tablestore instance name (3 to 16 of A-Z a-z 0-9 -, starting with a letter)' })
      .optional()
      .describe('Name of the Tablestore instance (default: $TABLESTORE_INSTANCE, which s.yaml sets on the functions)'),
    table: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/, { error: 'must be a Tablestore table name (A-Z a-z 0-9 _, not starting with a digit)' })
      .optional()
      .describe(`Table of the records (default: $TABLESTORE_TABLE, which s.yaml sets on the functions, else ${DEFAULT_TABLESTORE_TABLE})`),
    ...common,
  })
  .describe('Alibaba Cloud Tablestore table (TTL, max versions 1), created by the Alibaba IaC under deploy/');

/** Read when a message needs it, not at load: bundles that validate nothing at start leave zod out. */
const storeKinds = () => [localSettings, dynamodbSettings, tablestoreSettings].map((schema) => schema.shape.store.value).join(', ');

export const stateSettings = z
  .discriminatedUnion('store', [localSettings, dynamodbSettings, tablestoreSettings], {
    // zod types the issue as invalid_union only, but a value that is not an object
    // (`state: local`) reaches here as invalid_type.
    error: (issue: { code: string; input?: unknown }) => {
      if (issue.code !== 'invalid_union') return undefined;
      const store = (issue.input as { store?: unknown } | undefined)?.store;
      return store === undefined
        ? `is required; known stores: ${storeKinds()}`
        : `unknown store ${JSON.stringify(store)}; known stores: ${storeKinds()}`;
    },
  })
  .describe(
    'Where the delivery ledger and the alert state are kept (exactly-once side effects, resolves that always reach the targets told of the firing, stale events ignored). Without this section every delivery is at least once.',
  );

export type LocalSettings = z.output<typeof localSettings>;
export type DynamodbSettings = z.output<typeof dynamodbSettings>;
export type TablestoreSettings = z.output<typeof tablestoreSettings>;
export type StateSettings = z.output<typeof stateSettings>;
