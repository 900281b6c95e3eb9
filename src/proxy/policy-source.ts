import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { CompiledPolicy } from '@gatehouse/core';
import { loadPolicyFile } from './policy-file.js';
import type { ProxyLogger } from './proxy-logger.js';

export interface PolicySourceOptions {
  file: string;
  logger: ProxyLogger;
  /** Reload when the file changes (default true). */
  watchFile?: boolean;
  /** Reload on SIGHUP (default true). */
  reloadOnSighup?: boolean;
}

/**
 * A policy file kept current. Readers take `current` once per request, so a reload swaps one
 * reference and never drops or half-applies anything in flight. A bad new file is logged and the
 * previous policy stays active.
 */
export interface PolicySource {
  readonly current: CompiledPolicy;
  /** Increments on every successful (re)load. */
  readonly version: number;
  /** Re-reads the file now; resolves to whether the new policy was taken. */
  reload(): Promise<boolean>;
  close(): void;
}

/**
 * Loads the policy file (throwing `PolicyFileError` if the first load fails) and keeps it fresh.
 * @example const source = await openPolicySource({ file: 'policy.yaml', logger: stderrLogger });
 */
export async function openPolicySource(options: PolicySourceOptions): Promise<PolicySource> {
  const file = resolve(options.file);
  const { logger } = options;
  let current = await loadPolicyFile(file);
  let version = 1;
  let pending: Promise<boolean> | null = null;
  let again = false;

  async function loadOnce(): Promise<boolean> {
    try {
      current = await loadPolicyFile(file);
      version++;
      logger.info({ file, version, routes: current.routes.length }, 'policy reloaded');
      return true;
    } catch (error) {
      logger.error(
        { file, error: (error as Error).message },
        'policy reload refused; the previous policy stays active',
      );
      return false;
    }
  }

  // Serialise reloads: a burst of change events ends with one load of the latest content.
  function reload(): Promise<boolean> {
    if (pending) {
      again = true;
      return pending;
    }
    pending = (async () => {
      let ok = await loadOnce();
      while (again) {
        again = false;
        ok = await loadOnce();
      }
      pending = null;
      return ok;
    })();
    return pending;
  }

  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (options.watchFile !== false) {
    // Watch the directory, not the file: editors and config managers replace files by rename,
    // which would silently orphan a watch on the old inode.
    watcher = watch(dirname(file), (_event, name) => {
      if (name !== null && name !== basename(file)) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 25);
    });
    watcher.on('error', (error) => logger.warn({ file, error: error.message }, 'policy watch'));
  }
  const onHup = (): void => void reload();
  if (options.reloadOnSighup !== false) process.on('SIGHUP', onHup);

  return {
    get current() {
      return current;
    },
    get version() {
      return version;
    },
    reload,
    close() {
      clearTimeout(timer);
      watcher?.close();
      process.off('SIGHUP', onHup);
    },
  };
}
