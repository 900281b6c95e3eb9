import { Type } from '@sinclair/typebox';
import { Cidrs, Metadata, RateLimitSchema, Scopes } from './common.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const TokenViewSchema = Type.Object({
  id: Type.String(),
  api: Type.String(),
  kind: Type.Union([Type.Literal('opaque'), Type.Literal('jwt')]),
  name: Type.String(),
  subject: Nullable(Type.String()),
  scopes: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
  revokeReason: Nullable(Type.String()),
  ipAllowlist: Nullable(Type.Array(Type.String())),
  rateLimit: Nullable(RateLimitSchema),
  maxUses: Nullable(Type.Integer()),
  uses: Type.Integer(),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  lastUsedAt: Nullable(Type.String({ format: 'date-time' })),
  rotatedFrom: Nullable(Type.String()),
  rotatedTo: Nullable(Type.String()),
  rotationDueAt: Nullable(Type.String({ format: 'date-time' })),
});

/** A token view plus its secret: only in create and rotate responses. */
export const IssuedTokenSchema = Type.Composite([
  TokenViewSchema,
  Type.Object({ token: Type.String({ description: 'The secret. Shown once; store it now.' }) }),
]);

export const CreateTokenBody = Type.Object(
  {
    api: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'API name or id; default "default"',
      }),
    ),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    subject: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    scopes: Scopes,
    kind: Type.Optional(Type.Union([Type.Literal('opaque'), Type.Literal('jwt')])),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_153_600_000 })),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
    ipAllowlist: Type.Optional(Nullable(Cidrs)),
    rateLimit: Type.Optional(Nullable(RateLimitSchema)),
    maxUses: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000_000_000 }))),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);

export const UpdateTokenBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    scopes: Type.Optional(Scopes),
    metadata: Type.Optional(Metadata),
    ipAllowlist: Type.Optional(Nullable(Cidrs)),
    rateLimit: Type.Optional(Nullable(RateLimitSchema)),
  },
  { additionalProperties: false, minProperties: 1 },
);
