import { createVerifier } from '@gatehouse/sdk';
import { createApp } from './app.js';

// GATEHOUSE_TOKEN: a `gatehouse` API token with scope tokens:verify. PORT defaults to 3000.
const token = process.env.GATEHOUSE_TOKEN;
if (!token) throw new Error('set GATEHOUSE_TOKEN to a token with scope tokens:verify');
const verifier = createVerifier({
  url: process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:8080',
  token,
});
const port = Number(process.env.PORT ?? 3000);
createApp(verifier).listen(port, '127.0.0.1', () => {
  console.log(`orders API (express) on http://127.0.0.1:${port}`);
});
