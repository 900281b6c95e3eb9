import { type TSchema, Type } from '@sinclair/typebox';

/** RFC 9457 problem body, referenced by every route's error responses. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    field: Type.Optional(Type.String()),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details' },
);

/** Standard error responses for an authenticated management route. */
export const managementErrors = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
} as const;

export const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);

export const Scope = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*(:[A-Za-z0-9._-]+)*(:\\*)?$',
  maxLength: 128,
});
export const Scopes = Type.Array(Scope, { maxItems: 100 });
export const Metadata = Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), {
  maxProperties: 64,
});
export const RateLimitSchema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
    windowSeconds: Type.Integer({ minimum: 1, maximum: 31_536_000 }),
  },
  { additionalProperties: false },
);
export const Cidrs = Type.Array(Type.String({ minLength: 2, maxLength: 64 }), { maxItems: 256 });

/** A page of items with an opaque cursor for the next page. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  });
}

/** `limit` and `cursor` query parameters. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
};
