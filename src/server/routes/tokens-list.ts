import { Type } from '@sinclair/typebox';
import { listTokens } from '../../store/tokens-repo.js';
import { toTokenView } from '../../tokens/token-view.js';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { managementErrors, Page, PageQuery } from '../schemas/common.js';
import { TokenViewSchema } from '../schemas/token.js';

/** `GET /v1/tokens` (tokens:read): newest first, cursor-paginated, never with secrets. */
export function tokensListRoute(app: GatehouseApp, ctx: AppContext): void {
  app.get(
    '/v1/tokens',
    {
      onRequest: ctx.auth.onRequest('tokens:read'),
      schema: {
        tags: ['tokens'],
        summary: 'List tokens',
        querystring: Type.Object(
          {
            api: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            status: Type.Optional(
              Type.Union([
                Type.Literal('active'),
                Type.Literal('expired'),
                Type.Literal('revoked'),
              ]),
            ),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(TokenViewSchema), ...managementErrors, 404: managementErrors[400] },
      },
    },
    async (request) => {
      const { subject, status, cursor } = request.query;
      const limit = request.query.limit ?? 50;
      const api = request.query.api
        ? await ctx.tokens.requireApi(request.query.api, 'query.api')
        : undefined;
      const now = ctx.clock.now();
      const rows = await listTokens(ctx.store.db, {
        apiId: api?.id,
        subject,
        status,
        now,
        limit,
        after: decodeCursor(cursor),
      });
      const page = rows.slice(0, limit);
      const items = await Promise.all(
        page.map(async (record) =>
          toTokenView(
            record,
            (await ctx.apis.byId(record.apiId)) ?? { name: record.apiId, policy: noPolicy },
            now,
          ),
        ),
      );
      const last = page.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },
  );
}

const noPolicy = {
  maxTtlSeconds: null,
  defaultTtlSeconds: null,
  allowedScopes: null,
  rotationPeriodSeconds: null,
  requireIpAllowlist: false,
};
