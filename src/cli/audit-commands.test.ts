import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/server-harness.js';
import { forEachStore } from '../../test/store-harness.js';
import { runCli, startCli } from './testing/cli-harness.js';

const SLOW = 180_000;

forEachStore('gatehouse audit and keys commands', (target) => {
  let t: TestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await startTestServer({ store: target.store() });
    env = { GATEHOUSE_URL: t.url, GATEHOUSE_TOKEN: t.rootToken };
  });
  afterAll(() => t?.close());

  it(
    'audit tail follows new events live and stops with exit 0 on SIGINT',
    async () => {
      const tail = startCli(['audit', 'tail', '--json', '--type', 'token.created'], env);
      const human = startCli(['audit', 'tail'], env);
      // The stream starts at "now": keep creating until the followers have connected and seen one.
      let created = 0;
      const seen = tail.waitFor(/"type":"token\.created"/);
      const seenHuman = human.waitFor(/ token\.created /);
      let done = false;
      void Promise.all([seen, seenHuman]).finally(() => {
        done = true;
      });
      while (!done && created < 60) {
        const result = await runCli(
          ['token', 'create', '--name', `tail-${created++}`, '--ttl', '1h', '--json'],
          env,
        );
        expect(result.code, result.stderr).toBe(0);
        await Promise.race([
          Promise.all([seen, seenHuman]),
          new Promise((r) => setTimeout(r, 500)),
        ]);
      }
      expect(done, `no token.created event followed: ${tail.stderr}${human.stderr}`).toBe(true);
      await Promise.all([seen, seenHuman]);
      const line = tail.stdout.split('\n').find((l) => l.includes('token.created')) ?? '';
      expect(JSON.parse(line)).toMatchObject({
        type: 'token.created',
        tokenId: expect.stringMatching(/^tok_/),
      });
      expect(tail.stdout).not.toMatch(/"type":"token\.(verified|revoked)"/);
      expect(human.stdout).toMatch(/^\d{4}-\d\d-\d\dT\S+Z {2}token\.created {2}/m);
      expect(await tail.stop('SIGINT')).toBe(0);
      expect(await human.stop('SIGTERM')).toBe(0);
    },
    SLOW,
  );

  it(
    'audit export writes NDJSON for a range; audit verify passes, then catches an edited row (exit 1)',
    async () => {
      await runCli(['token', 'create', '--name', 'exported', '--ttl', '1h'], env);
      const exported = await runCli(['audit', 'export', '--since', '1h'], env);
      expect(exported.code, exported.stderr).toBe(0);
      const events = exported.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(events.length).toBeGreaterThan(0);
      expect(exported.stderr).toContain(`Exported ${events.length} event`);
      expect(events.some((e) => e.type === 'token.created')).toBe(true);
      for (const event of events)
        expect(event).toMatchObject({ id: expect.any(String), time: expect.any(String) });
      const future = await runCli(['audit', 'export', '--since', '2999-01-01T00:00:00Z'], env);
      expect(future).toMatchObject({ code: 0, stdout: '' });
      const bad = await runCli(['audit', 'export', '--since', 'yesterday-ish'], env);
      expect(bad.code).toBe(2);

      const ok = await runCli(['audit', 'verify'], env);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/^Audit chain intact: \d+ events checked\.$/m);
      const okJson = await runCli(['audit', 'verify', '--json'], env);
      expect(JSON.parse(okJson.stdout)).toMatchObject({ ok: true });

      const victim = events.find((e) => e.type === 'token.created');
      await sql`update audit_events set actor = 'tok_intruder0000' where id = ${victim.id}`.execute(
        target.store().db,
      );
      const broken = await runCli(['audit', 'verify'], env);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain(`Audit chain BROKEN at event ${victim.id}`);
      expect(broken.stderr).toMatch(/^gatehouse: audit chain verification failed/);
      const brokenJson = await runCli(['audit', 'verify', '--json'], env);
      expect(brokenJson.code).toBe(1);
      expect(JSON.parse(brokenJson.stdout)).toMatchObject({
        ok: false,
        firstBadEvent: { id: victim.id },
      });
    },
    SLOW,
  );

  it(
    'keys rotate prints the new key id, --json the API answer; needs admin',
    async () => {
      const rotated = await runCli(['keys', 'rotate'], env);
      expect(rotated.code, rotated.stderr).toBe(0);
      expect(rotated.stdout).toMatch(/^New signing key \S+ \((EdDSA|ES256)\)/);
      const json = await runCli(['keys', 'rotate', '--json'], env);
      expect(JSON.parse(json.stdout)).toMatchObject({
        kid: expect.any(String),
        retired: expect.any(Array),
      });
      const reader = await t.managementToken(['tokens:read']);
      const denied = await runCli(['keys', 'rotate'], { ...env, GATEHOUSE_TOKEN: reader });
      expect(denied.code).toBe(4);
    },
    SLOW,
  );
});
