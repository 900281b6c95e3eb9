import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/server-harness.js';
import { forEachStore } from '../../test/store-harness.js';
import { runCli } from './testing/cli-harness.js';

const SECRET = /^gth_[0-9A-Za-z]{38}$/;
// Each case spawns several CLI processes; on a loaded CI box one spawn can take a second or two.
const SLOW = 180_000;

forEachStore('gatehouse token commands', (target) => {
  let t: TestServer;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, env);
  const json = async (...args: string[]) => {
    const result = await cli(...args, '--json');
    expect(result.stderr.includes('\n    at ')).toBe(false);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };
  beforeAll(async () => {
    t = await startTestServer({ store: target.store() });
    env = { GATEHOUSE_URL: t.url, GATEHOUSE_TOKEN: t.rootToken };
  });
  afterAll(() => t?.close());

  it(
    'create prints only the secret on stdout, details and the shown-once note on stderr',
    async () => {
      const result = await cli(
        'token',
        'create',
        '--name',
        'ci deploy',
        '--scope',
        'orders:read',
        '--scope',
        'orders:write',
        '--ttl',
        '30d',
        '--subject',
        'alice',
        '--ip',
        '10.0.0.0/8,2001:db8::/32',
        '--rate-limit',
        '100/60s',
        '--max-uses',
        '5',
        '--metadata',
        'team=ops',
        '--metadata',
        'env=prod',
      );
      expect(result.code, result.stderr).toBe(0);
      const secret = result.stdout.trim();
      expect(secret).toMatch(SECRET);
      expect(result.stderr).toMatch(/shown once/);
      expect(result.stderr).toMatch(/Scopes:\s+orders:read orders:write/);
      expect(result.stderr).not.toContain(secret);
      const verified = await t.call('POST', '/v1/verify', {
        body: { token: secret, scopes: ['orders:read'], ip: '10.1.2.3' },
      });
      expect(verified.body).toMatchObject({ valid: true, subject: 'alice' });
      const id: string = verified.body.tokenId;
      const shown = (await t.call('GET', `/v1/tokens/${id}`)).body;
      expect(shown).toMatchObject({
        name: 'ci deploy',
        ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'],
        rateLimit: { limit: 100, windowSeconds: 60 },
        maxUses: 5,
        metadata: { team: 'ops', env: 'prod' },
      });
      expect(Date.parse(shown.expiresAt) - Date.parse(shown.createdAt)).toBe(30 * 86_400_000);
    },
    SLOW,
  );

  it(
    'create --json prints the API answer with the secret, and --kind jwt / --api work',
    async () => {
      const created = await json(
        'token',
        'create',
        '--name',
        'json',
        '--scope',
        'a:b',
        '--ttl',
        '1h',
      );
      expect(created.token).toMatch(SECRET);
      expect(created).toMatchObject({
        name: 'json',
        scopes: ['a:b'],
        api: 'default',
        status: 'active',
      });
      const jwt = await cli('token', 'create', '--name', 'j', '--kind', 'jwt', '--ttl', '15m');
      // JWT kind is the OAuth engineer's: accept a compact JWS, or a clear API error line.
      if (jwt.code === 0) expect(jwt.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      else expect(jwt.stderr).toMatch(/^gatehouse: .+ \(\w+, HTTP \d{3}\)\n$/);
      const management = await json(
        'token',
        'create',
        '--name',
        'm',
        '--api',
        'gatehouse',
        '--scope',
        'tokens:read',
      );
      expect(management.api).toBe('gatehouse');
    },
    SLOW,
  );

  it(
    'list shows an aligned table without secrets, paginates by cursor and follows --all',
    async () => {
      for (const name of ['p1', 'p2', 'p3'])
        await json('token', 'create', '--name', name, '--subject', 'pager', '--ttl', '1d');
      const table = await cli('token', 'list', '--subject', 'pager');
      expect(table.code).toBe(0);
      const lines = table.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^ID\s+NAME\s+API\s+SUBJECT\s+SCOPES\s+STATUS\s+EXPIRES\s+LAST USED$/,
      );
      expect(lines).toHaveLength(4);
      const statusColumn = lines[0]?.indexOf('STATUS');
      for (const line of lines.slice(1))
        expect(line.slice(statusColumn, statusColumn! + 6)).toBe('active');
      expect(table.stdout).not.toMatch(/gth_[0-9A-Za-z]{38}/);
      expect(table.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\dZ/);

      const first = await json('token', 'list', '--subject', 'pager', '--limit', '2');
      expect(first.items).toHaveLength(2);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await json(
        'token',
        'list',
        '--subject',
        'pager',
        '--limit',
        '2',
        '--cursor',
        first.nextCursor,
      );
      expect(second).toMatchObject({ nextCursor: null });
      expect(second.items).toHaveLength(1);
      const more = await cli('token', 'list', '--subject', 'pager', '--limit', '2');
      expect(more.stderr).toContain(`--cursor ${first.nextCursor}`);
      const all = await json('token', 'list', '--subject', 'pager', '--limit', '1', '--all');
      expect(all.items.map((item: { name: string }) => item.name).sort()).toEqual([
        'p1',
        'p2',
        'p3',
      ]);
      const none = await cli('token', 'list', '--subject', 'nobody', '--status', 'revoked');
      expect(none).toMatchObject({ code: 0, stdout: '' });
    },
    SLOW,
  );

  it(
    'show, update, rotate, revoke and subject revoke, in tables and JSON',
    async () => {
      const created = await json(
        'token',
        'create',
        '--name',
        'life',
        '--subject',
        'bob',
        '--scope',
        'x:read',
        '--ttl',
        '7d',
      );
      const shownTable = await cli('token', 'show', created.id);
      expect(shownTable.stdout).toMatch(new RegExp(`^ID:\\s+${created.id}$`, 'm'));
      expect(shownTable.stdout).not.toContain(created.token);
      expect(await json('token', 'show', created.id)).toMatchObject({
        id: created.id,
        name: 'life',
      });

      const updated = await json(
        'token',
        'update',
        created.id,
        '--name',
        'renamed',
        '--scope',
        'x:read,x:write',
        '--rate-limit',
        '10/s',
      );
      expect(updated).toMatchObject({
        name: 'renamed',
        scopes: ['x:read', 'x:write'],
        rateLimit: { limit: 10, windowSeconds: 1 },
      });
      const cleared = await cli('token', 'update', created.id, '--clear-rate-limit');
      expect(cleared.stdout).toMatch(/^Name:\s+renamed$/m);
      expect((await t.call('GET', `/v1/tokens/${created.id}`)).body.rateLimit).toBeNull();

      const rotated = await cli('token', 'rotate', created.id, '--overlap', '1h');
      expect(rotated.code, rotated.stderr).toBe(0);
      const successor = rotated.stdout.trim();
      expect(successor).toMatch(SECRET);
      expect(rotated.stderr).toMatch(/shown once/);
      expect(rotated.stderr).toMatch(/keeps working for 1h/);
      expect(
        (await t.call('POST', '/v1/verify', { body: { token: created.token } })).body.valid,
      ).toBe(true);
      const again = await cli('token', 'rotate', created.id);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/already rotated/);
      const successorId = (await t.call('GET', `/v1/tokens/${created.id}`)).body.rotatedTo;
      const rotatedJson = await json('token', 'rotate', successorId);
      expect(rotatedJson).toMatchObject({
        rotatedFrom: successorId,
        token: expect.stringMatching(SECRET),
      });
      expect(
        (await t.call('POST', '/v1/verify', { body: { token: successor } })).body,
      ).toMatchObject({ valid: false });

      const revoked = await cli('token', 'revoke', created.id, '--reason', 'test', '--wait');
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(revoked.stdout).toMatch(new RegExp(`^Revoked token ${created.id}`));
      expect(revoked.stdout).toMatch(/Applied by \d+ of \d+ live verifiers/);
      expect(await json('token', 'revoke', created.id)).toMatchObject({
        id: created.id,
        status: 'revoked',
      });

      const bobs = await cli('subject', 'revoke', 'bob');
      expect(bobs.stdout).toMatch(/^Revoked \d+ tokens? of subject bob$/m);
      expect(await json('subject', 'revoke', 'bob')).toEqual({ revoked: 0 });
      const listed = await json('token', 'list', '--subject', 'bob', '--status', 'active');
      expect(listed.items).toEqual([]);
    },
    SLOW,
  );

  it(
    'apis create and list',
    async () => {
      const created = await json(
        'apis',
        'create',
        `shop-${target.dialect}`,
        '--prefix',
        'shop',
        '--max-ttl',
        '90d',
        '--allowed-scope',
        'orders:read',
      );
      expect(created).toMatchObject({
        prefix: 'shop',
        policy: { maxTtlSeconds: 90 * 86_400, allowedScopes: ['orders:read'] },
      });
      const listed = await json('apis', 'list');
      expect(listed.items.map((api: { name: string }) => api.name)).toContain(
        `shop-${target.dialect}`,
      );
      const table = await cli('apis', 'list');
      expect(table.stdout).toMatch(/^ID\s+NAME\s+PREFIX\s+MAX TTL/);
      expect(table.stdout).toMatch(/shop\s+90d/);
      const token = await cli(
        'token',
        'create',
        '--name',
        's',
        '--api',
        `shop-${target.dialect}`,
        '--scope',
        'orders:read',
        '--ttl',
        '1d',
      );
      expect(token.stdout.trim()).toMatch(/^shop_/);
      const outside = await cli(
        'token',
        'create',
        '--name',
        's',
        '--api',
        `shop-${target.dialect}`,
        '--scope',
        'orders:write',
      );
      expect(outside.code).toBe(2);
      expect(outside.stderr).toMatch(/^gatehouse: .*\(policy_violation, HTTP 400\)\n$/);
    },
    SLOW,
  );
});
