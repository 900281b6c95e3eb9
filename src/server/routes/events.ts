import { Type } from '@sinclair/typebox';
import { changesAfter } from '../../store/changes-repo.js';
import { toChangeJson } from '../../verify/change-json.js';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { managementErrors } from '../schemas/common.js';

/** The wire form of one change (docs/architecture.md, "Change feed wire protocol"). */
export const ChangeJsonSchema = Type.Object({
  seq: Type.Integer(),
  type: Type.String(),
  tokenId: Type.Union([Type.String(), Type.Null()]),
  tokenHash: Type.Union([Type.String(), Type.Null()]),
  apiId: Type.Union([Type.String(), Type.Null()]),
  time: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
});

/**
 * `GET /v1/events?after=SEQ&limit=N` (tokens:verify): changes after `after`, oldest first.
 * `lastSeq` is where to continue (the last item's seq, or `after` when there is nothing new).
 */
export function eventsRoute(app: GatehouseApp, ctx: AppContext): void {
  app.get(
    '/v1/events',
    {
      onRequest: ctx.auth.onRequest('tokens:verify'),
      schema: {
        tags: ['events'],
        summary: 'Read the change feed',
        description:
          'Changes with `seq > after`, oldest first. Poll with `after=lastSeq`, or use `/v1/events/stream`.',
        querystring: Type.Object(
          {
            after: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(ChangeJsonSchema), lastSeq: Type.Integer() }),
          ...managementErrors,
        },
      },
    },
    async (request) => {
      const after = request.query.after ?? 0;
      const changes = await changesAfter(ctx.store.db, after, request.query.limit ?? 100);
      return {
        items: changes.map(toChangeJson),
        lastSeq: changes.at(-1)?.seq ?? after,
      };
    },
  );
}
