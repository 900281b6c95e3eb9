import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describeOrdersApi } from './example-harness.js';
import { createApp } from './express-app/app.js';

describeOrdersApi('examples/express-app', async (verifier) => {
  const server = createApp(verifier).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
