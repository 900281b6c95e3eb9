import { createVerifier } from '@gatehouse/sdk';
import { createApp } from './app.js';

const token = process.env.GATEHOUSE_TOKEN;
if (!token) throw new Error('set GATEHOUSE_TOKEN to a token with scope tokens:verify');
const verifier = createVerifier({
  url: process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:8080',
  token,
});
const app = await createApp(verifier);
const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`orders API (fastify) on ${address}`);
