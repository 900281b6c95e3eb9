import { describe, expect, it } from 'vitest';
import {
  canonicalEvent,
  canonicalJson,
  chainRecords,
  eventHash,
  GENESIS_HASH,
  type UnchainedRecord,
} from './hash-chain.js';

function event(id: string, overrides: Partial<UnchainedRecord> = {}): UnchainedRecord {
  return {
    id,
    nodeId: 'node_a',
    time: Date.UTC(2026, 0, 1),
    type: 'token.verified',
    actor: null,
    tokenId: 'tok_abcdefgh12345678',
    subject: 'user_1',
    api: 'default',
    ip: '127.0.0.1',
    userAgent: null,
    method: 'POST',
    path: '/v1/verify',
    status: 200,
    result: 'VALID',
    latencyMs: 0.125,
    details: canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }),
    ...overrides,
  };
}

describe('hash chain', () => {
  it('links each event to the previous one from the head it extends', () => {
    const first = chainRecords({ seq: 0, hash: GENESIS_HASH }, [event('evt_1'), event('evt_2')]);
    expect(first.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(first.records[0]?.prevHash).toBe(GENESIS_HASH);
    expect(first.records[1]?.prevHash).toBe(first.records[0]?.hash);
    expect(first.head).toEqual({ seq: 2, hash: first.records[1]?.hash });
    const second = chainRecords(first.head, [event('evt_3')]);
    expect(second.records[0]).toMatchObject({ seq: 3, prevHash: first.head.hash });
  });

  it('is deterministic and covers every field, including position', () => {
    const [a] = chainRecords({ seq: 0, hash: GENESIS_HASH }, [event('evt_1')]).records;
    const [b] = chainRecords({ seq: 0, hash: GENESIS_HASH }, [event('evt_1')]).records;
    expect(a?.hash).toBe(b?.hash);
    const base = { ...event('evt_1'), seq: 1 };
    const hash = eventHash(GENESIS_HASH, base);
    const variants: Array<Partial<typeof base>> = [
      { seq: 2 },
      { time: base.time + 1 },
      { nodeId: 'node_b' },
      { status: 401 },
      { result: 'REVOKED' },
      { latencyMs: 0.126 },
      { subject: null },
      { details: canonicalJson({ a: 1 }) },
    ];
    for (const change of variants)
      expect(eventHash(GENESIS_HASH, { ...base, ...change })).not.toBe(hash);
    expect(eventHash('f'.repeat(64), base)).not.toBe(hash);
  });

  it('serializes canonically: fixed field order, nulls kept, details keys sorted', () => {
    expect(canonicalJson({ b: 1, a: { z: 1, y: [{ q: 1, p: 2 }] } })).toBe(
      '{"a":{"y":[{"p":2,"q":1}],"z":1},"b":1}',
    );
    const text = canonicalEvent({ ...event('evt_1', { actor: null }), seq: 7 });
    expect(JSON.parse(text)).toEqual([
      1,
      'evt_1',
      'node_a',
      7,
      Date.UTC(2026, 0, 1),
      'token.verified',
      null,
      'tok_abcdefgh12345678',
      'user_1',
      'default',
      '127.0.0.1',
      null,
      'POST',
      '/v1/verify',
      200,
      'VALID',
      0.125,
      '{"a":[{"c":3,"d":2}],"b":1}',
    ]);
  });
});
