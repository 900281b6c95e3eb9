import { Type } from '@sinclair/typebox';

const optionalString = Type.Optional(Type.String());

/** An audit event as `GET /v1/audit` returns it; absent fields are omitted. */
export const AuditEventSchema = Type.Object({
  id: Type.String(),
  time: Type.String({ format: 'date-time' }),
  type: Type.String(),
  tokenId: optionalString,
  subject: optionalString,
  api: optionalString,
  actor: optionalString,
  ip: optionalString,
  userAgent: optionalString,
  method: optionalString,
  path: optionalString,
  status: Type.Optional(Type.Integer()),
  result: optionalString,
  latencyMs: Type.Optional(Type.Number()),
  details: Type.Optional(Type.Object({}, { additionalProperties: true })),
  nodeId: Type.String(),
});

export const AuditPageSchema = Type.Object({
  items: Type.Array(AuditEventSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
