import type { ApiRecord, Clock } from '@gatehouse/core';
import { listApis } from '../store/apis-repo.js';
import type { Store } from '../store/store.js';

/**
 * An in-memory directory of APIs (there are few, and they rarely change), so the verify path
 * resolves a token prefix without a query. Misses trigger a reload at most once per `minReloadMs`,
 * so random prefixes cannot turn into a query flood.
 */
export class ApiDirectory {
  private byIdMap = new Map<string, ApiRecord>();
  private byNameMap = new Map<string, ApiRecord>();
  private byPrefixMap = new Map<string, ApiRecord>();
  private lastLoad = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly minReloadMs = 1000,
  ) {}

  /** Loads every API now. */
  async reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const apis = await listApis(this.store.db);
        this.byIdMap = new Map(apis.map((a) => [a.id, a]));
        this.byNameMap = new Map(apis.map((a) => [a.name, a]));
        this.byPrefixMap = new Map(apis.map((a) => [a.prefix, a]));
        this.lastLoad = this.clock.now();
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /** Forget everything (on an `api.updated` change); the next lookup reloads. */
  invalidate(): void {
    this.lastLoad = Number.NEGATIVE_INFINITY;
  }

  private async lookup(
    map: () => Map<string, ApiRecord>,
    key: string,
  ): Promise<ApiRecord | undefined> {
    const found = map().get(key);
    if (found && this.lastLoad !== Number.NEGATIVE_INFINITY) return found;
    if (
      this.clock.now() - this.lastLoad >= this.minReloadMs ||
      this.lastLoad === Number.NEGATIVE_INFINITY
    ) {
      await this.reload();
      return map().get(key);
    }
    return found;
  }

  byId(id: string): Promise<ApiRecord | undefined> {
    return this.lookup(() => this.byIdMap, id);
  }
  byName(name: string): Promise<ApiRecord | undefined> {
    return this.lookup(() => this.byNameMap, name);
  }
  byPrefix(prefix: string): Promise<ApiRecord | undefined> {
    return this.lookup(() => this.byPrefixMap, prefix);
  }
  /** Id or name. */
  resolve(idOrName: string): Promise<ApiRecord | undefined> {
    return idOrName.startsWith('api_') ? this.byId(idOrName) : this.byName(idOrName);
  }
  /** The cached name of an API id (for responses); reloads on a miss. */
  async nameOf(id: string): Promise<string> {
    return (await this.byId(id))?.name ?? id;
  }
}
