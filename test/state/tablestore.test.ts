// The Tablestore store through the real `tablestore` SDK against the local Tablestore server
// (test/support/fakes/tablestore.ts): the contract suite, then what is Tablestore's own:
// the conditions it writes with, the table's TTL, GetRange pages, signatures and
// credentials, the service's errors and odd replies, and the bundle run alone.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { StoreLimitError, type StateStore } from '../../shared/state/contract';
import { stateSettings, tablestoreSettings } from '../../shared/state/settings';
import tablestoreStore, { NO_CREDENTIALS, tablestoreConnection } from '../../shared/state/tablestore';
import { ALIBABA_CREDENTIALS, ALIBABA_SECRETS } from '../support/fakes/alibaba';
import { startTablestoreServer, type TablestoreServer, type TablestoreServerOptions } from '../support/fakes/tablestore';
import { startScriptedServer } from '../support/http-server';
import { describeStoreContract } from './contract';
import { tablestoreHarness } from './adapters';

// @ts-expect-error -- the tablestore SDK ships no type declarations.
import TableStore from 'tablestore';

describeStoreContract(tablestoreHarness);

const INSTANCE = 'alert-router';
const TABLE = 'alert_router_state';
const DAY = 86400;
const nowSeconds = () => Math.floor(Date.now() / 1000);

type Credentials = { accessKeyId: string; accessKeySecret: string; securityToken?: string } | undefined;

async function serve(options: Partial<TablestoreServerOptions> = {}): Promise<TablestoreServer> {
  const server = await startTablestoreServer({ instance: INSTANCE, credentials: ALIBABA_CREDENTIALS, ...options });
  server.createTable(TABLE, { primaryKey: [{ name: 'id', type: 'STRING' }], timeToLive: 31 * DAY, maxVersions: 1 });
  return server;
}

async function open(server: TablestoreServer, extra: Record<string, unknown> = {}, credentials: () => Credentials = () => ALIBABA_CREDENTIALS): Promise<StateStore> {
  const settings = tablestoreSettings.parse({ store: 'tablestore', endpoint: server.endpoint, instance: INSTANCE, table: TABLE, ...extra });
  return tablestoreStore.create(settings, { dataDir: '/', alibabaCredentials: credentials });
}

/** The SDK's own client on the server, for rows the store would never write. */
function sdkClient(server: TablestoreServer) {
  const { accessKeyId, accessKeySecret, securityToken } = ALIBABA_CREDENTIALS;
  return new TableStore.Client({ accessKeyId, secretAccessKey: accessKeySecret, stsToken: securityToken, endpoint: server.endpoint, instancename: INSTANCE });
}

describe('tablestore store on the wire', () => {
  let server: TablestoreServer;
  let store: StateStore;
  beforeEach(async () => {
    server = await serve();
    store = await open(server);
  });
  afterEach(async () => {
    await store.close?.();
    await server.stop();
  });

  test('put-if-absent is PutRow EXPECT_NOT_EXIST; put-if-version is PutRow EXPECT_EXIST with a version and expiry condition', async () => {
    const expiresAt = nowSeconds() + 3600;
    expect(await store.put({ space: 'ledger', key: 'evt-1/slack', value: { status: 'in-progress' }, expect: { absent: true }, expiresAt, now: Date.now() })).toEqual({ written: true, version: 1 });
    expect(server.handled.at(-1)).toMatchObject({ operation: 'PutRow', status: 200, rowExistence: 'EXPECT_NOT_EXIST', columnCondition: false });
    expect(await store.put({ space: 'ledger', key: 'evt-1/slack', value: { status: 'delivered' }, expect: { version: 1 }, expiresAt, now: Date.now() })).toEqual({ written: true, version: 2 });
    expect(server.handled.at(-1)).toMatchObject({ operation: 'PutRow', status: 200, rowExistence: 'EXPECT_EXIST', columnCondition: true });
    // The table's schema: one STRING primary key, three columns.
    expect(server.rows(TABLE)).toEqual([{ primaryKey: { id: 'ledger#evt-1/slack' }, columns: { version: 2, expiresAt, value: '{"status":"delivered"}' } }]);
  });

  test('a put whose condition fails is an answer, after the service said OTSConditionCheckFail', async () => {
    const expiresAt = nowSeconds() + 3600;
    await store.put({ space: 'alerts', key: 'k', value: {}, expect: { absent: true }, expiresAt, now: Date.now() });
    expect(await store.put({ space: 'alerts', key: 'k', value: {}, expect: { version: 7 }, expiresAt, now: Date.now() })).toEqual({ written: false });
    expect(server.handled.at(-1)).toMatchObject({ operation: 'PutRow', status: 403, code: 'OTSConditionCheckFail' });
  });

  test('of writers racing to replace one expired record, exactly one succeeds', async () => {
    const expiresAt = nowSeconds() + 60;
    await store.put({ space: 'ledger', key: 'lease', value: { owner: 'old' }, expect: { absent: true }, expiresAt, now: Date.now() });
    const later = (expiresAt + 5) * 1000;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.put({ space: 'ledger', key: 'lease', value: { owner: i }, expect: { absent: true }, expiresAt: expiresAt + 3600, now: later })),
    );
    const winners = results.flatMap((r, i) => (r.written ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(await store.get('ledger', 'lease', later)).toEqual({ key: 'lease', version: 1, expiresAt: expiresAt + 3600, value: { owner: winners[0] } });
  });

  test("rows past the table's time to live are gone, whatever their expiresAt, and can be written again", async () => {
    const expiresAt = nowSeconds() + 365 * DAY;
    await store.put({ space: 'alerts', key: 'old-alert', value: { n: 1 }, expect: { absent: true }, expiresAt, now: Date.now() });
    server.age(30 * DAY * 1000);
    expect((await store.get('alerts', 'old-alert', Date.now()))?.value).toEqual({ n: 1 });
    server.age(2 * DAY * 1000);
    expect(await store.get('alerts', 'old-alert', Date.now())).toBeUndefined();
    expect(await store.list('alerts', Date.now())).toEqual([]);
    expect(await store.put({ space: 'alerts', key: 'old-alert', value: { n: 2 }, expect: { absent: true }, expiresAt, now: Date.now() })).toEqual({ written: true, version: 1 });
  });

  test('list() follows GetRange pages and stays inside its space', async () => {
    await store.close?.();
    await server.stop();
    server = await serve({ rangePageRows: 3 });
    store = await open(server);
    const expiresAt = nowSeconds() + 3600;
    const keys = Array.from({ length: 10 }, (_, i) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a${i}`);
    for (const key of keys) await store.put({ space: 'alerts', key, value: { key }, expect: { absent: true }, expiresAt, now: Date.now() });
    await store.put({ space: 'ledger', key: 'evt/x', value: {}, expect: { absent: true }, expiresAt, now: Date.now() });
    const listed = await store.list('alerts', Date.now());
    expect(listed.map((r) => r.key).sort()).toEqual([...keys].sort());
    expect(server.handled.filter((r) => r.operation === 'GetRange')).toHaveLength(4);
  });

  test('a row that is not a record is an error naming it, never a guess', async () => {
    await sdkClient(server).putRow({
      tableName: TABLE,
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
      primaryKey: [{ id: 'alerts#hand-written' }],
      attributeColumns: [{ value: '{"status":"firing"}' }],
    });
    await expect(store.get('alerts', 'hand-written', Date.now())).rejects.toThrow(/tablestore store: row "alerts#hand-written" of table alert_router_state is not a record/);
  });

  test('keys over the contract limit are refused before any request; the service refuses primary keys over 1 KB', async () => {
    await expect(store.put({ space: 'ledger', key: 'k'.repeat(513), value: {}, expect: { absent: true }, expiresAt: nowSeconds() + 60, now: Date.now() })).rejects.toThrow(StoreLimitError);
    expect(server.handled).toHaveLength(0);
    const put = sdkClient(server).putRow({
      tableName: TABLE,
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
      primaryKey: [{ id: 'x'.repeat(1025) }],
      attributeColumns: [{ value: '{}' }],
    });
    await expect(put).rejects.toMatchObject({ code: 400, message: expect.stringContaining("The length of primary key column: 'id' exceeds the MaxLength:1024 with CurrentLength:1025") });
  });
});

describe('tablestore store: credentials, errors and odd replies', () => {
  let server: TablestoreServer;
  const stores: StateStore[] = [];
  const opened = async (...args: Parameters<typeof open> extends [TablestoreServer, ...infer R] ? R : never) => {
    const store = await open(server, ...args);
    stores.push(store);
    return store;
  };
  beforeEach(async () => {
    server = await serve();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close?.()));
    await server.stop();
  });

  const failureOf = async (call: Promise<unknown>): Promise<string> => {
    try {
      await call;
    } catch (err) {
      const message = (err as Error).message;
      for (const secret of ALIBABA_SECRETS) expect(message).not.toContain(secret);
      return message;
    }
    throw new Error('expected the call to fail');
  };

  test('a wrong secret: the service answers 403 OTSAuthFailed, the error says so and holds no secret', async () => {
    const store = await opened({}, () => ({ ...ALIBABA_CREDENTIALS, accessKeySecret: `${ALIBABA_CREDENTIALS.accessKeySecret}x` }));
    expect(await failureOf(store.get('ledger', 'k', Date.now()))).toMatch(/^tablestore store: GetRow on table alert_router_state failed: OTSAuthFailed: Signature mismatch\. \(HTTP 403, request [0-9a-f-]{36}\)$/);
  });

  test('credentials are read at every call: rotated temporary credentials are used at once', async () => {
    let current: Credentials = { accessKeyId: ALIBABA_CREDENTIALS.accessKeyId, accessKeySecret: ALIBABA_CREDENTIALS.accessKeySecret };
    const store = await opened({}, () => current);
    expect(await failureOf(store.get('ledger', 'k', Date.now()))).toContain('OTSAuthFailed: The security token you provided is invalid.');
    current = ALIBABA_CREDENTIALS;
    expect(await store.get('ledger', 'k', Date.now())).toBeUndefined();
    current = undefined;
    expect(await failureOf(store.get('ledger', 'k', Date.now()))).toContain(NO_CREDENTIALS);
  });

  test('a missing table and a denied operation are errors with the service code', async () => {
    const missing = await opened({ table: 'no_such_table' });
    expect(await failureOf(missing.get('alerts', 'k', Date.now()))).toContain('OTSObjectNotExist: Requested table does not exist. (HTTP 404');
    await server.stop();
    server = await serve({ allowedOperations: ['GetRow', 'GetRange'] });
    const readOnly = await opened();
    expect(await failureOf(readOnly.put({ space: 'alerts', key: 'k', value: {}, expect: { absent: true }, expiresAt: nowSeconds() + 60, now: Date.now() }))).toContain(
      'OTSNoPermissionAccess: You have no permission to access the requested resource',
    );
  });

  test('a busy service fails a write (never "not written"); a read is retried once by the SDK', async () => {
    const store = await opened();
    const busy = { status: 503, code: 'OTSServerBusy', message: 'Server is busy.' };
    server.failNext(busy);
    expect(await failureOf(store.put({ space: 'alerts', key: 'k', value: {}, expect: { absent: true }, expiresAt: nowSeconds() + 60, now: Date.now() }))).toContain(
      'PutRow on table alert_router_state failed: OTSServerBusy: Server is busy. (HTTP 503',
    );
    server.failNext(busy);
    expect(await store.get('alerts', 'k', Date.now())).toBeUndefined();
    server.failNext(busy, busy);
    expect(await failureOf(store.get('alerts', 'k', Date.now()))).toContain('OTSServerBusy');
  });

  test('a long error message (two-byte length) comes out whole', async () => {
    const store = await opened();
    const message = `Invalid parameter: ${'x'.repeat(300)}.`;
    server.failNext({ status: 400, code: 'OTSParameterInvalid', message });
    expect(await failureOf(store.get('alerts', 'k', Date.now()))).toContain(`OTSParameterInvalid: ${message} (HTTP 400`);
  });

  test('credentials from the environment (the command line): a proxy echoing the request gets no part of the token or secret into the error', async () => {
    const echo = await startScriptedServer();
    echo.respondWith('echo');
    const token = `CAIS${'stsTokenBody0123456789'.repeat(20)}END`;
    const saved = { ...process.env };
    Object.assign(process.env, { ALIBABA_CLOUD_ACCESS_KEY_ID: 'STS.NEnvKeyId0123456', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'envSecretKey0123456789abcdefXYZ', ALIBABA_CLOUD_SECURITY_TOKEN: token });
    try {
      const store = await tablestoreStore.create(tablestoreSettings.parse({ store: 'tablestore', endpoint: echo.url, instance: INSTANCE, table: TABLE }), { dataDir: '/' });
      stores.push(store);
      const message = await failureOf(store.get('alerts', 'k', Date.now()));
      expect(echo.requests[0]!.headers['x-ots-ststoken']).toBe(token);
      expect(message).toMatch(/^tablestore store: GetRow on table alert_router_state failed: /);
      expect(message).not.toContain('\n');
      for (const secret of [token.slice(0, 12), 'envSecretKey0123456789abcdefXYZ']) expect(message).not.toContain(secret);
    } finally {
      process.env = saved;
      await echo.close();
    }
  });

  test('a garbled 200, an answer that never comes and an unreachable endpoint are errors', async () => {
    const store = await opened({ timeoutMs: 300 });
    server.failNext('garbage');
    expect(await failureOf(store.put({ space: 'alerts', key: 'k', value: {}, expect: { absent: true }, expiresAt: nowSeconds() + 60, now: Date.now() }))).toMatch(
      /^tablestore store: PutRow on table alert_router_state failed: /,
    );
    server.failNext('hang');
    // The SDK turns its own socket timeout into a retryable NetworkingError.
    expect(await failureOf(store.put({ space: 'alerts', key: 'k2', value: {}, expect: { absent: true }, expiresAt: nowSeconds() + 60, now: Date.now() }))).toContain(
      'NetworkingError: Connection timed out after 300ms',
    );
    await server.stop();
    expect(await failureOf(store.get('alerts', 'k', Date.now()))).toMatch(/GetRow on table alert_router_state failed: NetworkingError: .*ECONNREFUSED/);
  });
});

describe('tablestore settings', () => {
  const runtime = { dataDir: '/' };

  test('endpoint and instance default to the variables the IaC sets on the functions', () => {
    const connection = tablestoreConnection(tablestoreSettings.parse({ store: 'tablestore' }), runtime, {
      TABLESTORE_ENDPOINT: 'https://alert-router.cn-hangzhou.ots.aliyuncs.com/',
      TABLESTORE_INSTANCE: 'alert-router',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
    });
    expect(connection).toMatchObject({ endpoint: 'https://alert-router.cn-hangzhou.ots.aliyuncs.com', instance: 'alert-router', table: TABLE, timeoutMs: 1000 });
    expect(connection.credentials()).toEqual({ accessKeyId: 'id', accessKeySecret: 'secret' });
  });

  test("as deployed (s.yaml): the instance and table variables, and the instance's public endpoint in FC_REGION", () => {
    const connection = tablestoreConnection(tablestoreSettings.parse({ store: 'tablestore' }), runtime, {
      TABLESTORE_INSTANCE: 'myrouter',
      TABLESTORE_TABLE: 'router_prod_state',
      FC_REGION: 'cn-shanghai',
    });
    expect(connection).toMatchObject({ endpoint: 'https://myrouter.cn-shanghai.ots.aliyuncs.com', instance: 'myrouter', table: 'router_prod_state' });
    // router.yaml's own settings win over the variables.
    const own = tablestoreConnection(tablestoreSettings.parse({ store: 'tablestore', table: 'other_table', endpoint: 'https://x.cn-hangzhou.ots.aliyuncs.com' }), runtime, {
      TABLESTORE_INSTANCE: 'myrouter',
      TABLESTORE_TABLE: 'router_prod_state',
      FC_REGION: 'cn-shanghai',
    });
    expect(own).toMatchObject({ endpoint: 'https://x.cn-hangzhou.ots.aliyuncs.com', table: 'other_table' });
  });

  test('a missing endpoint or instance, and names the service refuses, are clear errors', () => {
    expect(() => tablestoreConnection(tablestoreSettings.parse({ store: 'tablestore' }), runtime, {})).toThrow(
      'tablestore store: no instance: set state.instance in router.yaml or the TABLESTORE_INSTANCE variable',
    );
    expect(() => tablestoreConnection(tablestoreSettings.parse({ store: 'tablestore', instance: 'myrouter' }), runtime, {})).toThrow(
      'tablestore store: no endpoint: set state.endpoint in router.yaml or the TABLESTORE_ENDPOINT variable',
    );
    expect(stateSettings.safeParse({ store: 'tablestore', instance: '9lives' }).error?.issues[0]?.message).toMatch(/must be a Tablestore instance name/);
    expect(stateSettings.safeParse({ store: 'tablestore', table: 'alert-router' }).error?.issues[0]?.message).toMatch(/must be a Tablestore table name/);
    expect(stateSettings.safeParse({ store: 'tablestore', endpoint: 'alert-router.cn-hangzhou.ots.aliyuncs.com' }).success).toBe(false);
  });
});

describe('tablestore store bundled', () => {
  let dir: string;
  let server: TablestoreServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tablestore-bundle-'));
    server = await serve();
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('esbuild (node20, minified, CommonJS) bundles the adapter with its SDK, and the bundle runs alone', async () => {
    const outfile = join(dir, 'tablestore.js');
    const result = await build({
      entryPoints: [join(__dirname, '../../shared/state/tablestore.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: true,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes('node_modules/tablestore/'))).toBe(true);
    const runner = join(dir, 'run.js');
    await writeFile(
      runner,
      `const store = require('./tablestore.js').default;
(async () => {
  const s = await store.create({ store: 'tablestore', endpoint: process.argv[2], instance: '${INSTANCE}', table: '${TABLE}' }, { dataDir: '/' });
  const exp = Math.floor(Date.now() / 1000) + 60;
  const first = await s.put({ space: 'alerts', key: 'k', value: { ok: true }, expect: { absent: true }, expiresAt: exp, now: Date.now() });
  const again = await s.put({ space: 'alerts', key: 'k', value: { ok: false }, expect: { absent: true }, expiresAt: exp, now: Date.now() });
  const next = await s.put({ space: 'alerts', key: 'k', value: { ok: 2 }, expect: { version: 1 }, expiresAt: exp, now: Date.now() });
  const listed = await s.list('alerts', Date.now());
  await s.close();
  process.stdout.write(JSON.stringify({ first, again, next, listed }));
})().catch((err) => { console.error(err); process.exit(1); });
`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, [runner, server.endpoint], {
      env: {
        PATH: process.env.PATH,
        ALIBABA_CLOUD_ACCESS_KEY_ID: ALIBABA_CREDENTIALS.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIBABA_CREDENTIALS.accessKeySecret,
        ALIBABA_CLOUD_SECURITY_TOKEN: ALIBABA_CREDENTIALS.securityToken,
      },
    });
    expect(JSON.parse(stdout)).toEqual({
      first: { written: true, version: 1 },
      again: { written: false },
      next: { written: true, version: 2 },
      listed: [{ key: 'k', version: 2, expiresAt: expect.any(Number), value: { ok: 2 } }],
    });
  });
});
