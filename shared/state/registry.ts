// One line per store kind. Adapters load on demand, so a function pays at cold start only
// for the store (and its SDK) that its router.yaml names.
import type { StoreType } from './contract';

type Loader = () => Promise<{ default: StoreType }>;

export const storeTypes: Record<string, Loader> = {
  local: () => import('./local'),
  dynamodb: () => import('./dynamodb'),
  tablestore: () => import('./tablestore'),
};

export async function loadStoreType(kind: string): Promise<StoreType | undefined> {
  const loader = Object.hasOwn(storeTypes, kind) ? storeTypes[kind] : undefined;
  return loader ? (await loader()).default : undefined;
}
