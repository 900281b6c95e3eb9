import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { describeOrdersApi } from './example-harness.js';
import { createApp } from './hono-app/app.js';

describeOrdersApi('examples/hono-app', async (verifier) => {
  const server = serve({
    fetch: createApp(verifier).fetch,
    port: 0,
    hostname: '127.0.0.1',
  }) as Server;
  if (!server.listening) await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
