import type { ApiPolicy, ApiRecord } from '@gatehouse/core';
import type { Kysely, Selectable } from 'kysely';
import type { ApisTable, Database } from './schema.js';

function toApi(row: Selectable<ApisTable>): ApiRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    policy: JSON.parse(row.policy) as ApiPolicy,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export async function insertApi(db: Kysely<Database>, api: ApiRecord): Promise<void> {
  await db
    .insertInto('apis')
    .values({
      id: api.id,
      name: api.name,
      prefix: api.prefix,
      policy: JSON.stringify(api.policy),
      created_at: api.createdAt,
      updated_at: api.updatedAt,
    })
    .execute();
}

/** Finds an API by id (`api_…`) or by name. */
export async function findApi(
  db: Kysely<Database>,
  idOrName: string,
): Promise<ApiRecord | undefined> {
  const column = idOrName.startsWith('api_') ? 'id' : 'name';
  const row = await db
    .selectFrom('apis')
    .selectAll()
    .where(column, '=', idOrName)
    .executeTakeFirst();
  return row ? toApi(row) : undefined;
}

export async function findApiByPrefix(
  db: Kysely<Database>,
  prefix: string,
): Promise<ApiRecord | undefined> {
  const row = await db
    .selectFrom('apis')
    .selectAll()
    .where('prefix', '=', prefix)
    .executeTakeFirst();
  return row ? toApi(row) : undefined;
}

export async function listApis(db: Kysely<Database>): Promise<ApiRecord[]> {
  const rows = await db
    .selectFrom('apis')
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toApi);
}

export async function updateApiPolicy(
  db: Kysely<Database>,
  id: string,
  policy: ApiPolicy,
  now: number,
): Promise<void> {
  await db
    .updateTable('apis')
    .set({ policy: JSON.stringify(policy), updated_at: now })
    .where('id', '=', id)
    .execute();
}
