import { type TProperties, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { parseOAuthForm } from '../../oauth/client-credentials.js';
import { OAuthError } from '../../oauth/oauth-errors.js';

/** Marker body for anything that is not a form: OAuth endpoints answer it with `invalid_request`. */
const NOT_A_FORM = Symbol('not a form');

/**
 * Makes an encapsulated Fastify scope speak OAuth: bodies must be
 * `application/x-www-form-urlencoded` (parsed strictly, no repeated parameters), and every error
 * is an RFC 6749 §5.2 JSON body (`error`, `error_description`), never problem+json and never 5xx
 * for bad input.
 * @example await app.register(async (scope) => { useOAuthConventions(scope); scope.post('/oauth/token', handler); });
 */
export function useOAuthConventions(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        done(null, parseOAuthForm(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
  scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, _body, done) =>
    done(null, NOT_A_FORM),
  );
  scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof OAuthError) return sendOAuthError(reply, error);
    // Fastify errors carry `statusCode`; the app-wide hooks throw GatehouseErrors with `status`.
    const status = error.statusCode ?? (error as { status?: number }).status ?? 500;
    if (status < 500)
      return sendOAuthError(reply, new OAuthError('invalid_request', error.message));
    request.log.error({ err: error }, 'oauth request failed');
    return sendOAuthError(
      reply,
      new OAuthError('server_error', 'an internal error occurred; it has been logged'),
    );
  });
}

/** Sends an OAuth error with `Cache-Control: no-store` and the challenge, if any. */
export function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  if (error.challenge) void reply.header('www-authenticate', error.challenge);
  return reply
    .code(error.status)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .type('application/json')
    .send(error.body());
}

/** The request's form, or `invalid_request` when the body was JSON or another type. */
export function oauthForm(request: FastifyRequest): URLSearchParams {
  const body = request.body;
  if (body === undefined || body === null) return new URLSearchParams();
  if (body instanceof URLSearchParams) return body;
  throw new OAuthError(
    'invalid_request',
    'send the parameters as application/x-www-form-urlencoded',
  );
}

/**
 * Route options that document an OAuth form body in the OpenAPI spec without letting Ajv judge
 * it: the OAuth handlers read the form themselves so that every error is an RFC 6749 §5.2 body.
 * @example scope.post('/oauth/token', { ...oauthFormRoute('Client credentials', { grant_type: Type.String() }) }, handler)
 */
export function oauthFormRoute(
  summary: string,
  fields: TProperties,
): { schema: FastifySchema; validatorCompiler: () => () => boolean } {
  return {
    schema: {
      tags: ['oauth'],
      summary,
      security: [],
      consumes: ['application/x-www-form-urlencoded'],
      body: Type.Object(fields),
    },
    validatorCompiler: () => () => true,
  };
}
