// GET /api/v1/catalog: the farm's architectures, job states, build targets, toolchains and limits.
// The dashboard keeps no lists of its own; the catalog is read once per page load.
import { get } from './api.js';

export const CATALOG = '/api/v1/catalog';

let loaded = null;

/** The catalog (a promise, fetched once; a failed fetch is tried again on the next call). */
export function catalog() {
  loaded ??= get(CATALOG).catch((e) => { loaded = null; throw e; });
  return loaded;
}

/** The architecture to preselect: the first one some registered server builds, else the first. */
export function defaultArchitecture(c) {
  return (c.architectures.find(a => a.servers.length > 0) ?? c.architectures[0])?.name ?? '';
}
