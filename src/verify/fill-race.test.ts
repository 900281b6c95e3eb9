import {
  generateToken,
  hashToken,
  ManualClock,
  newId,
  newTokenRecord,
  secureRandom,
} from '@gatehouse/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachStore } from '../../test/store-harness.js';
import { noopAuditSink } from '../audit/audit-sink.js';
import { bootstrapStore } from '../server/bootstrap.js';
import { appendChange } from '../store/changes-repo.js';
import { insertToken } from '../store/tokens-repo.js';
import { ApiDirectory } from '../tokens/api-directory.js';
import { TokenService } from '../tokens/token-service.js';
import { createVerifyRuntime, type VerifyRuntime } from './verify-runtime.js';

/** A gate the verify path waits on between its store read and its cache fill. */
function gate(): { arm(): Promise<void>; release(): void; hook(hash: string): Promise<void> } {
  let armed: { reached: () => void; open: Promise<void>; release: () => void } | undefined;
  let reached!: Promise<void>;
  return {
    arm() {
      let release!: () => void;
      const open = new Promise<void>((resolve) => {
        release = resolve;
      });
      reached = new Promise<void>((resolve) => {
        armed = { reached: resolve, open, release };
      });
      return reached;
    },
    release() {
      armed?.release();
      armed = undefined;
    },
    async hook() {
      const current = armed;
      if (!current) return;
      current.reached();
      await current.open;
    },
  };
}

// Deterministic: the read is held open by the gate while the change commits and is applied.
forEachStore('verify cache fill race', (target) => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const delay = gate();
  let rt: VerifyRuntime;
  let tokens: TokenService;
  let apis: ApiDirectory;
  beforeAll(async () => {
    const store = target.store();
    await bootstrapStore({ store, clock, random: secureRandom, audit: noopAuditSink });
    apis = new ApiDirectory(store, clock);
    await apis.reload();
    rt = createVerifyRuntime({
      store,
      apis,
      clock,
      audit: noopAuditSink,
      nodeId: newId('node'),
      beforeFill: (hash) => delay.hook(hash),
    });
    await rt.start();
    tokens = new TokenService({
      store: rt.store,
      apis,
      clock,
      random: secureRandom,
      audit: noopAuditSink,
    });
  });
  afterAll(() => rt?.close());

  it('a read that began before a revocation never fills the cache after it', async () => {
    const issued = await tokens.create({ name: 'race', scopes: ['a:b'] }, { tokenId: null });
    const reached = delay.arm();
    const slow = rt.verifier.verify(issued.secret); // reads the active record, then waits
    await reached;
    await tokens.revoke(issued.record.id, 'race', { tokenId: null }); // applied on return
    delay.release();
    // The stale fill is refused and the read repeated: even the slow verify sees the revocation.
    expect(await slow).toMatchObject({ valid: false, code: 'REVOKED' });
    expect(await rt.verifier.verify(issued.secret)).toMatchObject({ code: 'REVOKED' });
    expect(rt.cache.stats().refusedFills).toBeGreaterThanOrEqual(1);
  });

  it('a negative read that began before a creation never hides the new token', async () => {
    const secret = generateToken({ prefix: 'gth', random: secureRandom });
    const reached = delay.arm();
    const slow = rt.verifier.verify(secret); // reads "no such hash", then waits
    await reached;
    const store = target.store();
    const api = await apis.byName('default');
    await rt.store.write(async (tx) => {
      const id = newId('token');
      await insertToken(
        tx,
        newTokenRecord({
          id,
          apiId: api!.id,
          hash: hashToken(secret),
          name: 'late',
          scopes: [],
          createdAt: clock.now(),
        }),
      );
      await appendChange(tx, store.dialect, {
        type: 'token.created',
        tokenId: id,
        tokenHash: hashToken(secret),
        apiId: api!.id,
        payload: {},
        time: clock.now(),
      });
    });
    delay.release();
    expect(await slow).toMatchObject({ valid: true });
    expect(await rt.verifier.verify(secret)).toMatchObject({ valid: true });
  });

  it('without a concurrent change the fill is kept (cache hit, no second read)', async () => {
    const issued = await tokens.create({ name: 'calm', scopes: [] }, { tokenId: null });
    await rt.verifier.verify(issued.secret);
    const before = rt.cache.stats();
    expect(await rt.verifier.verify(issued.secret)).toMatchObject({ valid: true });
    expect(rt.cache.stats().hits).toBe(before.hits + 1);
    expect(rt.cache.stats().misses).toBe(before.misses);
  });
});
