import { ManualClock } from '@gatehouse/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server-harness.js';
import { forEachStore } from '../../../test/store-harness.js';
import { type AuditLog, createAuditLog } from '../../audit/audit-log.js';

forEachStore('audit never stores a secret', (target) => {
  let t: TestServer;
  let audit: AuditLog;
  const clock = new ManualClock(Date.UTC(2026, 3, 1));
  beforeAll(async () => {
    t = await startTestServer({ store: target.store(), clock });
    audit = createAuditLog({ store: target.store(), nodeId: 'node_secrets', clock });
  });
  afterAll(async () => {
    await audit?.close();
    await t?.close();
  });

  it('scrubs secrets a careless caller passes, in rows and in the export', async () => {
    const created = await t.call('POST', '/v1/tokens', {
      body: { name: 'leaky', scopes: ['a:b'] },
    });
    const secret: string = created.body.token;
    // A typo'd copy (bad checksum) and a JWT are credentials too.
    const malformed = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    const jwt = `eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6OTk5OTk5OTk5OX0.${'s'.repeat(43)}`;
    const webhook = `whsec_${'k'.repeat(32)}`;
    audit.record({
      type: 'token.rejected',
      result: 'MALFORMED',
      path: `/orders?access_token=${malformed}`,
      userAgent: `curl/8 (${secret})`,
      details: { token: malformed, header: `Bearer ${secret}`, nested: [{ jwt }], webhook },
    });
    await target.store().write((tx) =>
      audit.recordInTransaction(tx, {
        type: 'token.created',
        tokenId: created.body.id,
        actor: 'tok_root00000000',
        details: { secret, password: 'hunter2' },
      }),
    );
    await audit.flush();

    const rows = await target.store().db.selectFrom('audit_events').selectAll().execute();
    const stored = JSON.stringify(rows);
    const exported = await (
      await fetch(`${t.url}/v1/audit/export`, {
        headers: { authorization: `Bearer ${t.rootToken}` },
      })
    ).text();
    const listed = JSON.stringify((await t.call('GET', '/v1/audit?limit=1000')).body);
    const randomPart = secret.slice(secret.indexOf('_') + 1);
    for (const haystack of [stored, exported, listed]) {
      for (const needle of [secret, malformed, randomPart, jwt, webhook, 'hunter2', t.rootToken]) {
        expect(haystack.includes(needle), needle.slice(0, 8)).toBe(false);
      }
      expect(haystack).toContain('sha256:'); // fingerprints stand in for them
    }
    expect(rows.length).toBeGreaterThanOrEqual(2);
  });
});
