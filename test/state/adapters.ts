// Every store adapter, started for real on this machine. The contract suite
// (contract.ts) and the chaos test (chaos.ts) run against each adapter: a new
// adapter joins both with one entry here and one small test file each.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateStore } from '../../shared/state/contract';
import { stateSettings } from '../../shared/state/settings';
import { createStore } from '../../shared/state/store';
import { DYNALITE_ENV, startDynalite } from '../support/dynalite';
import { ALIBABA_CREDENTIALS, ALIBABA_ENV } from '../support/fakes/alibaba';
import { startTablestoreServer } from '../support/fakes/tablestore';

export interface StartedStore {
  store: StateStore;
  /** The `state:` section of a router.yaml that uses this same store. */
  settings: Record<string, unknown>;
  stop(): Promise<void>;
}

export interface StoreHarness {
  name: string;
  start(): Promise<StartedStore>;
}

export const localHarness: StoreHarness = {
  name: 'local',
  async start() {
    const dir = await mkdtemp(join(tmpdir(), 'router-state-'));
    const settings = { store: 'local', path: dir };
    const store = await createStore(stateSettings.parse(settings), { dataDir: '/' });
    return { store, settings, stop: () => rm(dir, { recursive: true, force: true }) };
  },
};

export const dynamodbHarness: StoreHarness = {
  name: 'dynamodb',
  async start() {
    const server = await startDynalite();
    for (const [name, value] of Object.entries(DYNALITE_ENV)) process.env[name] ??= value;
    const settings = { store: 'dynamodb', table: server.table, endpoint: server.endpoint, region: DYNALITE_ENV.AWS_REGION };
    const store = await createStore(stateSettings.parse(settings));
    return { store, settings, stop: () => server.stop() };
  },
};


/** Tablestore: the real SDK against the local Tablestore server, with the IaC's table (TTL 31 days, one version). */
export const tablestoreHarness: StoreHarness = {
  name: 'tablestore',
  async start() {
    const server = await startTablestoreServer({ instance: 'alert-router', credentials: ALIBABA_CREDENTIALS });
    server.createTable('alert_router_state', { primaryKey: [{ name: 'id', type: 'STRING' }], timeToLive: 31 * 86400, maxVersions: 1 });
    // The functions' temporary credentials, as FC 3.0 sets them; a router built from
    // `settings` alone finds them there too.
    const saved = Object.fromEntries(Object.keys(ALIBABA_ENV).map((name) => [name, process.env[name]]));
    Object.assign(process.env, ALIBABA_ENV);
    const settings = { store: 'tablestore', endpoint: server.endpoint, instance: 'alert-router', table: 'alert_router_state' };
    const store = await createStore(stateSettings.parse(settings), { dataDir: '/' });
    return {
      store,
      settings,
      async stop() {
        for (const [name, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
        await server.stop();
      },
    };
  },
};

export const storeHarnesses: StoreHarness[] = [localHarness, dynamodbHarness, tablestoreHarness];
