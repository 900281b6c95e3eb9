import { createVerifier } from '@gatehouse/sdk';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';

const token = process.env.GATEHOUSE_TOKEN;
if (!token) throw new Error('set GATEHOUSE_TOKEN to a token with scope tokens:verify');
const verifier = createVerifier({
  url: process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:8080',
  token,
});
const port = Number(process.env.PORT ?? 3000);
serve({ fetch: createApp(verifier).fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`orders API (hono) on http://127.0.0.1:${info.port}`);
});
