import { describeOrdersApi } from './example-harness.js';
import { createApp } from './fastify-app/app.js';

describeOrdersApi('examples/fastify-app', async (verifier) => {
  const app = await createApp(verifier);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
});
