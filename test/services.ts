import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import pg from 'pg';

const PG_ADMIN_URL = process.env.GATEHOUSE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, host);
  });
}

/**
 * Whether a service-backed suite should run. In CI (`CI=true`) a missing service is a failure,
 * never a silent skip; on a laptop without it the suite is skipped with the reason printed.
 */
async function availability(name: string, host: string, port: number): Promise<boolean> {
  const up = await reachable(host, port);
  if (up) return true;
  if (process.env.CI === 'true')
    throw new Error(`${name} at ${host}:${port} is required in CI but not reachable`);
  console.warn(`[skip] ${name} tests: nothing listening on ${host}:${port}`);
  return false;
}

export const postgresAvailable: Promise<boolean> = availability('PostgreSQL', '127.0.0.1', 5432);
export const redisAvailable: Promise<boolean> = availability('Redis', '127.0.0.1', 6379);
export const redisUrl = REDIS_URL;

/**
 * Creates a fresh, uniquely named PostgreSQL database and returns its URL and a drop function.
 * @example const { url, drop } = await createPostgresDatabase(); afterAll(drop);
 */
export async function createPostgresDatabase(): Promise<{
  url: string;
  drop: () => Promise<void>;
}> {
  const name = `gatehouse_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
