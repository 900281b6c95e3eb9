import { ManualClock } from '@gatehouse/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server-harness.js';
import { forEachStore } from '../store-harness.js';
import { expectProblem } from './problem.js';

/**
 * API policies (TTL bounds, allowed scopes with wildcards, rotation period, required IP
 * allowlist), scope and CIDR semantics on verify, cursor pagination with filters, subject
 * revocation and rotation overlaps — all over HTTP, with a hand-moved clock.
 */
forEachStore('policies, scopes, allowlists, pagination, rotation', (target) => {
  let t: TestServer;
  const start = Date.UTC(2026, 5, 1);
  const clock = new ManualClock(start);
  beforeAll(async () => {
    t = await startTestServer({ store: target.store(), clock });
    const apis = [
      {
        name: 'shop',
        prefix: 'shop',
        policy: {
          maxTtlSeconds: 3600,
          defaultTtlSeconds: 600,
          allowedScopes: ['orders:*', 'users:read'],
          rotationPeriodSeconds: 1800,
        },
      },
      { name: 'forever', prefix: 'fvr' },
      { name: 'locked', prefix: 'lck', policy: { requireIpAllowlist: true } },
      { name: 'pages', prefix: 'pg' },
    ];
    for (const body of apis) expect((await t.call('POST', '/v1/apis', { body })).status).toBe(201);
  });
  afterAll(() => t?.close());

  const create = (body: Record<string, unknown>) =>
    t.call('POST', '/v1/tokens', { body: { name: 'n', scopes: [], ...body } });
  const verify = async (token: string, extra: Record<string, unknown> = {}) =>
    (await t.call('POST', '/v1/verify', { body: { token, ...extra } })).body;

  it('applies TTL bounds, the default TTL and the rotation period', async () => {
    const listed = await t.call('GET', '/v1/apis');
    expect(listed.body.items.find((a: { name: string }) => a.name === 'shop').policy).toEqual({
      maxTtlSeconds: 3600,
      defaultTtlSeconds: 600,
      allowedScopes: ['orders:*', 'users:read'],
      rotationPeriodSeconds: 1800,
      requireIpAllowlist: false,
    });
    const byDefault = await create({ api: 'shop' });
    expect(byDefault.status).toBe(201);
    expect(byDefault.body.token).toMatch(/^shop_[0-9A-Za-z]{38}$/);
    expect(Date.parse(byDefault.body.expiresAt)).toBe(clock.now() + 600_000);
    expect(Date.parse(byDefault.body.rotationDueAt)).toBe(clock.now() + 1_800_000);
    expect((await create({ api: 'shop', ttlSeconds: 3600 })).status).toBe(201);
    const tooLong = await create({ api: 'shop', ttlSeconds: 3601 });
    expectProblem(tooLong, { status: 400, code: 'policy_violation', field: 'body.ttlSeconds' });
    const at = new Date(clock.now() + 3_600_000).toISOString();
    expect((await create({ api: 'shop', expiresAt: at })).status).toBe(201);
    // Without a max TTL a token may live forever; the default API caps at a year.
    expect((await create({ api: 'forever' })).body.expiresAt).toBeNull();
    const quick = await create({});
    expect(Date.parse(quick.body.expiresAt)).toBe(clock.now() + 90 * 86_400_000);
  });

  it('allows scopes inside the policy, wildcards included, and nothing else', async () => {
    for (const scopes of [['orders:read'], ['orders:items:write', 'users:read'], ['orders:*']]) {
      expect((await create({ api: 'shop', scopes })).status, scopes.join()).toBe(201);
    }
    for (const scopes of [['users:write'], ['users:*'], ['orders'], ['ordersx:read'], ['admin']]) {
      expectProblem(
        await create({ api: 'shop', scopes }),
        { status: 400, code: 'policy_violation', field: 'body.scopes' },
        scopes.join(),
      );
    }
  });

  it('matches wildcard scopes on verify', async () => {
    const { body } = await create({ scopes: ['orders:*', 'users:read'] });
    expect(await verify(body.token, { scopes: ['orders:read'] })).toMatchObject({ valid: true });
    expect(
      await verify(body.token, { scopes: ['orders:items:write', 'users:read'] }),
    ).toMatchObject({ valid: true, scopes: ['orders:*', 'users:read'] });
    expect(await verify(body.token)).toMatchObject({ valid: true });
    for (const scopes of [
      ['orders'],
      ['ordersx:read'],
      ['users:write'],
      ['orders:read', 'admin'],
    ]) {
      expect(await verify(body.token, { scopes }), scopes.join()).toMatchObject({
        valid: false,
        code: 'INSUFFICIENT_SCOPE',
      });
    }
    const exact = await create({ scopes: ['orders:read'] });
    expect(await verify(exact.body.token, { scopes: ['orders:*'] })).toMatchObject({
      valid: false,
      code: 'INSUFFICIENT_SCOPE',
    });
  });

  it('requires and enforces IPv4 and IPv6 allowlists', async () => {
    expectProblem(await create({ api: 'locked' }), {
      status: 400,
      code: 'policy_violation',
      field: 'body.ipAllowlist',
    });
    const { body } = await create({
      api: 'locked',
      ipAllowlist: ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32'],
    });
    expect(body.ipAllowlist).toEqual(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32']);
    for (const ip of [
      '10.1.2.3',
      '::ffff:10.1.2.3',
      '192.168.1.7',
      '2001:db8::1',
      '2001:DB8:ffff::',
    ]) {
      expect(await verify(body.token, { ip }), ip).toMatchObject({ valid: true });
    }
    for (const ip of [
      '11.0.0.1',
      '::ffff:11.0.0.1',
      '192.168.1.8',
      '2001:db9::1',
      '::1',
      'nonsense',
    ]) {
      expect(await verify(body.token, { ip }), ip).toMatchObject({
        valid: false,
        code: 'IP_NOT_ALLOWED',
      });
    }
    expect(await verify(body.token)).toMatchObject({ valid: false, code: 'IP_NOT_ALLOWED' });
    // The requirement holds on update too; a narrower list takes effect at once.
    expectProblem(await t.call('PATCH', `/v1/tokens/${body.id}`, { body: { ipAllowlist: null } }), {
      status: 400,
      code: 'policy_violation',
      field: 'body.ipAllowlist',
    });
    await t.call('PATCH', `/v1/tokens/${body.id}`, { body: { ipAllowlist: ['2001:db8::/32'] } });
    expect(await verify(body.token, { ip: '10.1.2.3' })).toMatchObject({ code: 'IP_NOT_ALLOWED' });
    expect(await verify(body.token, { ip: '2001:db8::2' })).toMatchObject({ valid: true });
  });

  it('pages through tokens by cursor with api, subject and status filters', async () => {
    const made: Array<{ id: string; subject: string; status: string }> = [];
    for (let i = 0; i < 23; i++) {
      // Several tokens share a millisecond: the cursor must break ties by id.
      if (i % 3 === 0) clock.advance(1);
      const subject = i % 2 ? 'p-alice' : 'p-bob';
      const res = await create({ api: 'pages', subject, ttlSeconds: i % 5 === 0 ? 60 : 86_400 });
      made.push({ id: res.body.id, subject, status: 'active' });
    }
    for (const token of made.filter((_, i) => i % 3 === 1)) {
      await t.call('POST', `/v1/tokens/${token.id}/revoke`, { body: {} });
      token.status = 'revoked';
    }
    clock.advance(61_000);
    for (const [i, token] of made.entries())
      if (i % 5 === 0 && token.status === 'active') token.status = 'expired';

    const collect = async (query: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q = `${query}&limit=4${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await t.call('GET', `/v1/tokens?${q}`);
        expect(res.status, q).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(4);
        ids.push(...res.body.items.map((item: { id: string }) => item.id));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      expect(new Set(ids).size, 'no duplicates across pages').toBe(ids.length);
      return { ids, pages };
    };
    // Order is newest first with ties broken by id in the store's own collation, so compare
    // against one unpaginated listing and check the timestamps never go up.
    const full = await t.call('GET', '/v1/tokens?api=pages&limit=1000');
    const times = full.body.items.map((item: { createdAt: string }) => Date.parse(item.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const fullIds = full.body.items.map((item: { id: string }) => item.id);
    const all = await collect('api=pages');
    expect(all.ids).toEqual(fullIds);
    expect(new Set(all.ids)).toEqual(new Set(made.map((m) => m.id)));
    expect(all.pages).toBe(6);
    for (const subject of ['p-alice', 'p-bob']) {
      for (const status of ['active', 'expired', 'revoked']) {
        const expected = made.filter((m) => m.subject === subject && m.status === status);
        expect(expected.length, `${subject} ${status} fixture`).toBeGreaterThan(0);
        const got = await collect(`api=pages&subject=${subject}&status=${status}`);
        expect(got.ids, `${subject} ${status}`).toEqual(
          fullIds.filter((id: string) => expected.some((m) => m.id === id)),
        );
      }
    }
    // Other APIs' tokens never show up under api=pages, and the list never carries secrets.
    const page = await t.call('GET', '/v1/tokens?api=pages&limit=1000');
    expect(page.body.items.every((item: { api: string }) => item.api === 'pages')).toBe(true);
    expect(JSON.stringify(page.body)).not.toMatch(/"token"/);
  });

  it('revokes every active token of a subject and reports the count', async () => {
    const subject = 'sub-carol';
    const tokens = [];
    for (let i = 0; i < 4; i++) tokens.push((await create({ subject, ttlSeconds: 600 })).body);
    await t.call('POST', `/v1/tokens/${tokens[0].id}/revoke`, { body: {} });
    const other = (await create({ subject: 'sub-dave' })).body;
    const res = await t.call('POST', `/v1/subjects/${subject}/revoke`, {
      body: { reason: 'left' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ revoked: 3 });
    expect((await t.call('POST', `/v1/subjects/${subject}/revoke`, { body: {} })).body).toEqual({
      revoked: 0,
    });
    // No body, or an empty one sent as JSON (clients that always set the header): both fine.
    expect((await t.call('POST', '/v1/subjects/nobody/revoke')).body).toEqual({ revoked: 0 });
    expect((await t.call('POST', '/v1/subjects/nobody/revoke', { body: '' })).body).toEqual({
      revoked: 0,
    });
    for (const token of tokens)
      expect(await verify(token.token)).toMatchObject({ valid: false, code: 'REVOKED' });
    expect(await verify(other.token)).toMatchObject({ valid: true });
  });

  it('rotates with overlap 0 (old stops now) and >0 (old stops exactly at the overlap)', async () => {
    const original = (
      await create({
        api: 'shop',
        subject: 'rot',
        scopes: ['orders:read'],
        ttlSeconds: 3000,
        metadata: { team: 'a' },
      })
    ).body;
    const now0 = await t.call('POST', `/v1/tokens/${original.id}/rotate`, { body: {} });
    expect(now0.status).toBe(201);
    expect(now0.body).toMatchObject({
      api: 'shop',
      subject: 'rot',
      scopes: ['orders:read'],
      metadata: { team: 'a' },
      rotatedFrom: original.id,
    });
    expect(now0.body.token).not.toBe(original.token);
    expect(Date.parse(now0.body.expiresAt)).toBe(clock.now() + 3000_000);
    expect(await verify(original.token)).toMatchObject({ valid: false, code: 'EXPIRED' });
    expect(await verify(now0.body.token)).toMatchObject({ valid: true, tokenId: now0.body.id });
    expect((await t.call('GET', `/v1/tokens/${original.id}`)).body.rotatedTo).toBe(now0.body.id);

    const overlap = await t.call('POST', `/v1/tokens/${now0.body.id}/rotate`, {
      body: { overlapSeconds: 30 },
    });
    expect(overlap.status).toBe(201);
    clock.advance(29_999);
    expect(await verify(now0.body.token)).toMatchObject({ valid: true });
    expect(await verify(overlap.body.token)).toMatchObject({ valid: true });
    clock.advance(1);
    expect(await verify(now0.body.token)).toMatchObject({ valid: false, code: 'EXPIRED' });
    expect(await verify(overlap.body.token)).toMatchObject({ valid: true });
    expect((await t.call('GET', `/v1/tokens/${now0.body.id}`)).body.status).toBe('expired');
    const expired = await t.call('POST', `/v1/tokens/${now0.body.id}/rotate`, { body: {} });
    expectProblem(expired, { status: 409, code: 'conflict', field: 'id' });
  });
});
