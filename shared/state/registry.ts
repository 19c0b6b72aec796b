// One line per store kind. Adapters load on demand, so a function pays at cold start only
// for the store (and its SDK) that its router.yaml names.
import type { StoreType } from './contract';

type Loader = () => Promise<{ default: StoreType<unknown> }>;

export const storeTypes: Record<string, Loader> = {
  local: () => import('./local') as Promise<{ default: StoreType<unknown> }>,
  dynamodb: () => import('./dynamodb') as Promise<{ default: StoreType<unknown> }>,
  tablestore: () => import('./tablestore') as Promise<{ default: StoreType<unknown> }>,
};

export async function loadStoreType(kind: string): Promise<StoreType<unknown> | undefined> {
  const loader = Object.hasOwn(storeTypes, kind) ? storeTypes[kind] : undefined;
  return loader ? (await loader()).default : undefined;
}
