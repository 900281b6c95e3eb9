import { newId, systemClock } from '@gatehouse/core';
import { noopAuditSink } from '../src/audit/audit-sink.js';
import type { Store } from '../src/store/store.js';
import { ApiDirectory } from '../src/tokens/api-directory.js';
import type { VerifyCacheOptions } from '../src/verify/verify-cache.js';
import { createVerifyRuntime, type VerifyRuntime } from '../src/verify/verify-runtime.js';

/**
 * The server's verification runtime over `store`, without HTTP (audit is a no-op sink here: the
 * bench measures the verify path itself).
 * @example const rt = await startVerifyRuntime(store); await rt.verifier.verify(secret); await rt.close();
 */
export async function startVerifyRuntime(
  store: Store,
  cache?: VerifyCacheOptions,
): Promise<VerifyRuntime> {
  const apis = new ApiDirectory(store, systemClock);
  await apis.reload();
  const rt = createVerifyRuntime({
    store,
    apis,
    clock: systemClock,
    audit: noopAuditSink,
    nodeId: newId('node'),
    ...(cache ? { cache } : {}),
  });
  await rt.start();
  return rt;
}
