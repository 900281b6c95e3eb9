import {
  type ApiPolicy,
  type ApiRecord,
  ID_PREFIXES,
  newId,
  PREFIX_PATTERN,
} from '@gatehouse/core';
import { Type } from '@sinclair/typebox';
import { insertApi, listApis } from '../../store/apis-repo.js';
import { appendChange } from '../../store/changes-repo.js';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { GatehouseError } from '../errors.js';
import { managementErrors, ProblemSchema, Scopes } from '../schemas/common.js';

const NullableInt = Type.Union([Type.Integer({ minimum: 1, maximum: 3_153_600_000 }), Type.Null()]);
const PolicyInput = Type.Object(
  {
    maxTtlSeconds: Type.Optional(NullableInt),
    defaultTtlSeconds: Type.Optional(NullableInt),
    allowedScopes: Type.Optional(Type.Union([Scopes, Type.Null()])),
    rotationPeriodSeconds: Type.Optional(NullableInt),
    requireIpAllowlist: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const ApiSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  policy: Type.Object({
    maxTtlSeconds: Type.Union([Type.Integer(), Type.Null()]),
    defaultTtlSeconds: Type.Union([Type.Integer(), Type.Null()]),
    allowedScopes: Type.Union([Type.Array(Type.String()), Type.Null()]),
    rotationPeriodSeconds: Type.Union([Type.Integer(), Type.Null()]),
    requireIpAllowlist: Type.Boolean(),
  }),
  createdAt: Type.String({ format: 'date-time' }),
});

function toApiView(api: ApiRecord) {
  return {
    id: api.id,
    name: api.name,
    prefix: api.prefix,
    policy: api.policy,
    createdAt: new Date(api.createdAt).toISOString(),
  };
}

/** `POST /v1/apis` (admin) and `GET /v1/apis` (tokens:read). */
export function apiRoutes(app: GatehouseApp, ctx: AppContext): void {
  app.post(
    '/v1/apis',
    {
      onRequest: ctx.auth.onRequest('admin'),
      schema: {
        tags: ['apis'],
        summary: 'Create an API (a keyspace with its own prefix and policy)',
        body: Type.Object(
          {
            name: Type.String({
              pattern: '^[a-z][a-z0-9-]{1,62}$',
              description: 'lowercase name, used in token create',
            }),
            prefix: Type.String({
              pattern: `^${PREFIX_PATTERN}$`,
              description: 'token prefix, e.g. "shop" → shop_…',
            }),
            policy: Type.Optional(PolicyInput),
          },
          { additionalProperties: false },
        ),
        response: { 201: ApiSchema, ...managementErrors, 409: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { name, prefix } = request.body;
      // Secrets must never look like ids (tok_…, api_…), which are logged and shown freely.
      if ((Object.values(ID_PREFIXES) as string[]).includes(prefix)) {
        throw new GatehouseError(
          'validation_failed',
          `body.prefix "${prefix}" is reserved for ids`,
          {
            field: 'body.prefix',
          },
        );
      }
      const input = request.body.policy ?? {};
      const policy: ApiPolicy = {
        maxTtlSeconds: input.maxTtlSeconds ?? null,
        defaultTtlSeconds: input.defaultTtlSeconds ?? null,
        allowedScopes: input.allowedScopes ?? null,
        rotationPeriodSeconds: input.rotationPeriodSeconds ?? null,
        requireIpAllowlist: input.requireIpAllowlist ?? false,
      };
      if (
        policy.maxTtlSeconds !== null &&
        policy.defaultTtlSeconds !== null &&
        policy.defaultTtlSeconds > policy.maxTtlSeconds
      ) {
        throw new GatehouseError(
          'validation_failed',
          'body.policy.defaultTtlSeconds exceeds body.policy.maxTtlSeconds',
          {
            field: 'body.policy.defaultTtlSeconds',
          },
        );
      }
      const now = ctx.clock.now();
      const api: ApiRecord = {
        id: newId('api', ctx.random),
        name,
        prefix,
        policy,
        createdAt: now,
        updatedAt: now,
      };
      try {
        await ctx.store.write(async (tx) => {
          const clash = await tx
            .selectFrom('apis')
            .select(['name', 'prefix'])
            .where((eb) => eb.or([eb('name', '=', name), eb('prefix', '=', prefix)]))
            .executeTakeFirst();
          if (clash) {
            const field = clash.name === name ? 'name' : 'prefix';
            throw new GatehouseError('conflict', `an API with this ${field} already exists`, {
              field: `body.${field}`,
            });
          }
          await insertApi(tx, api);
          // Other nodes reload their API directory on this event.
          await appendChange(tx, ctx.store.dialect, {
            type: 'api.updated',
            tokenId: null,
            tokenHash: null,
            apiId: api.id,
            payload: { name },
            time: now,
          });
          await ctx.audit.recordInTransaction(tx, {
            type: 'api.created',
            api: name,
            actor: request.principal?.tokenId ?? null,
            ip: request.ip,
            details: { prefix },
          });
        });
      } catch (error) {
        if (error instanceof GatehouseError) throw error;
        // A concurrent create won the unique index race.
        throw new GatehouseError('conflict', 'an API with this name or prefix already exists', {
          field: 'body.name',
          cause: error,
        });
      }
      await ctx.apis.reload();
      return reply.code(201).send(toApiView(api));
    },
  );
  app.get(
    '/v1/apis',
    {
      onRequest: ctx.auth.onRequest('tokens:read'),
      schema: {
        tags: ['apis'],
        summary: 'List APIs',
        response: { 200: Type.Object({ items: Type.Array(ApiSchema) }), ...managementErrors },
      },
    },
    async () => {
      return { items: (await listApis(ctx.store.db)).map(toApiView) };
    },
  );
}
