import { ManualClock } from '@gatehouse/core';
import { describe, expect, it } from 'vitest';
import { ManualScheduler } from './scheduler.js';
import { UsageBatcher, type UsageBatcherOptions } from './usage-batcher.js';

function setup(overrides: Partial<UsageBatcherOptions<number>> = {}) {
  const clock = new ManualClock(0);
  const scheduler = new ManualScheduler(clock);
  const batches: number[][] = [];
  let failing = false;
  let release: (() => void) | undefined;
  let blocked = false;
  const batcher = new UsageBatcher<number>({
    batchSize: 10,
    maxDelayMs: 1000,
    capacity: 100,
    scheduler,
    write: async (batch) => {
      if (blocked) await new Promise<void>((resolve) => (release = resolve));
      if (failing) throw new Error('store down');
      batches.push(batch);
    },
    ...overrides,
  });
  return {
    clock,
    scheduler,
    batches,
    batcher,
    fail: (on: boolean) => (failing = on),
    block: (on: boolean) => (blocked = on),
    unblock: () => release?.(),
  };
}

describe('usage batcher', () => {
  it('writes a full batch at once and a partial one only after the delay', async () => {
    const t = setup();
    for (let i = 0; i < 13; i++) t.batcher.push(i);
    await t.batcher.idle();
    expect(t.batches).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
    t.scheduler.advance(999);
    await t.batcher.idle();
    expect(t.batches).toHaveLength(1);
    t.scheduler.advance(1);
    await t.batcher.idle();
    expect(t.batches[1]).toEqual([10, 11, 12]);
    expect(t.batcher.stats()).toMatchObject({ queueDepth: 0, written: 13, dropped: 0 });
    expect(t.scheduler.pending).toBe(0);
  });

  it('push returns before the write starts (the request path never waits on the store)', () => {
    const t = setup();
    for (let i = 0; i < 10; i++) t.batcher.push(i);
    expect(t.batches).toHaveLength(0);
    expect(t.batcher.stats().queueDepth).toBe(10); // still queued: the write starts on a later tick
  });

  it('drops routine items at 90 % of capacity, priority items only at 100 %, and counts both', async () => {
    const t = setup({ isPriority: (n) => n < 0 });
    t.block(true);
    for (let i = 0; i < 10; i++) t.batcher.push(i); // first batch, held by the blocked write
    await Promise.resolve();
    let accepted = 0;
    for (let i = 0; i < 95; i++) if (t.batcher.push(i + 100)) accepted += 1;
    expect(accepted).toBe(90);
    let priority = 0;
    for (let i = 0; i < 20; i++) if (t.batcher.push(-1 - i)) priority += 1;
    expect(priority).toBe(10);
    expect(t.batcher.stats()).toMatchObject({ queueDepth: 100, dropped: 15, droppedPriority: 10 });
    t.block(false);
    t.unblock();
    await t.batcher.flush();
    expect(t.batches.flat()).toHaveLength(110);
    expect(t.batcher.stats()).toMatchObject({ queueDepth: 0, written: 110 });
  });

  it('keeps a failed batch, retries after the delay and loses nothing', async () => {
    const errors: unknown[] = [];
    const t = setup({ onError: (e) => errors.push(e) });
    t.fail(true);
    for (let i = 0; i < 10; i++) t.batcher.push(i);
    await t.batcher.idle();
    expect(errors).toHaveLength(1);
    expect(t.batcher.stats()).toMatchObject({ queueDepth: 10, failedWrites: 1, written: 0 });
    t.fail(false);
    t.scheduler.advance(1000);
    await t.batcher.idle();
    expect(t.batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('flush writes everything, including items pushed while a write is in flight', async () => {
    const t = setup();
    t.block(true);
    for (let i = 0; i < 25; i++) t.batcher.push(i);
    await Promise.resolve();
    const flushed = t.batcher.flush();
    for (let i = 25; i < 30; i++) t.batcher.push(i);
    t.block(false);
    t.unblock();
    await flushed;
    expect(t.batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(t.batcher.stats().queueDepth).toBe(0);
  });

  it('flush rejects when the store fails and keeps the events for the next attempt', async () => {
    const t = setup();
    t.batcher.push(1);
    t.fail(true);
    await expect(t.batcher.flush()).rejects.toThrow('store down');
    expect(t.batcher.stats().queueDepth).toBe(1);
    t.fail(false);
    await t.batcher.flush();
    expect(t.batches).toEqual([[1]]);
  });
});
