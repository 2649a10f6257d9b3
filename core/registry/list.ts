/** Listing: the store's list, filtered by the parsed selection and sorted once, here. */
import { canList } from '../types/storage.ts';
import type { KubeObject } from '../types/object.ts';
import type { Selection } from '../selection.ts';
import { compareObjects } from '../paging.ts';
import { storeContext, storeWith, type RegistryRequest } from './request.ts';

/** Every object of the request's scope that matches `selection`, in key order, with the list's resourceVersion. */
export async function selectObjects(req: RegistryRequest, selection: Selection): Promise<{ items: KubeObject[]; resourceVersion: string }> {
  const list = await storeWith(req, canList, 'list').list(req.info.namespace, selection.query, storeContext(req));
  return { items: list.items.filter((o) => selection.matches(o)).sort(compareObjects), resourceVersion: list.resourceVersion };
}
