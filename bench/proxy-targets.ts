/**
 * Child process for bench/proxy.ts: `node proxy-targets.js upstream|bare|gatehouse|gatehouse-no-audit [json]`.
 * Each role listens on 127.0.0.1:0 and prints `{"url": …}` on one stdout line once ready, so the
 * load generator, the upstream and the proxy under test never share an event loop.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { noopAuditSink } from '../src/audit/audit-sink.js';
import { createProxy } from '../src/proxy/create-proxy.js';
import { forwardRequest } from '../src/proxy/forward-request.js';
import { silentLogger } from '../src/proxy/proxy-logger.js';
import { storeBackend } from '../src/proxy/proxy-verifiers.js';
import { runProxyCommand } from '../src/proxy/run-proxy-command.js';

const [role = '', rawConfig = '{}'] = process.argv.slice(2);
const config = JSON.parse(rawConfig) as { upstream?: string; policy?: string; dataDir?: string };

function ready(url: string): void {
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  // Each stdin line asks for this process's CPU time so far: CPU per request is a figure that
  // stays meaningful on a busy machine, where req/s swings with the neighbours' load.
  createInterface({ input: process.stdin }).on('line', () => {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpuMicros: user + system })}\n`);
  });
}

async function listen(server: ReturnType<typeof createServer>): Promise<string> {
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

if (role === 'upstream') {
  const body = JSON.stringify({ ok: true, items: [1, 2, 3] });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  ready(await listen(server));
} else if (role === 'bare') {
  // The same streaming forwarder and pool settings as the gateway, minus policy, auth and audit.
  const pool = new Pool(config.upstream!, { connections: 128, keepAliveTimeout: 30_000 });
  const server = createServer((req, res) => {
    void forwardRequest({
      dispatcher: pool,
      req,
      res,
      basePath: '',
      extraHeaders: {},
      responseHeaders: {},
      clientIp: req.socket.remoteAddress,
      secure: false,
    });
  });
  ready(await listen(server));
} else if (role === 'gatehouse-no-audit') {
  // The gateway with its real verifier but audit events dropped: separates the audit log's cost.
  const backend = await storeBackend({ dataDir: config.dataDir, logger: silentLogger });
  const proxy = await createProxy({
    upstream: config.upstream!,
    policy: config.policy!,
    verifier: backend.verifier,
    audit: noopAuditSink,
    port: 0,
    logger: silentLogger,
    watchPolicy: false,
  });
  ready(proxy.url);
} else if (role === 'gatehouse') {
  const proxy = await runProxyCommand({
    upstream: config.upstream!,
    policy: config.policy!,
    dataDir: config.dataDir,
    port: 0,
    logger: silentLogger,
  });
  process.once('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
  ready(proxy.url);
} else {
  process.stderr.write(`unknown role ${role}\n`);
  process.exit(2);
}
