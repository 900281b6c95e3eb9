import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { AppContext } from './context.js';
import { GatehouseError, problemBody } from './errors.js';
import { registerRoutes } from './routes/index.js';
import { describeValidationError, validatorCompiler } from './validation.js';

/** The Fastify instance type every route module receives. */
export type GatehouseApp = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  Logger,
  TypeBoxTypeProvider
>;

/**
 * Builds the HTTP app (not listening yet). Routes live one per file under `routes/`.
 * @example const app = await buildApp(ctx); await app.listen({ port: 0, host: '127.0.0.1' });
 */
export async function buildApp(ctx: AppContext): Promise<GatehouseApp> {
  const app = Fastify({
    // With a certificate the server speaks HTTPS only; the app code is the same either way.
    ...(ctx.config.tls ? { https: { cert: ctx.config.tls.cert, key: ctx.config.tls.key } } : {}),
    loggerInstance: ctx.logger,
    // Request logs are the audit log's job; the app log carries faults only.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ctx.config.bodyLimit,
    trustProxy: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { removeAdditional: false } },
    // Subjects may be 200 characters, percent-encoded up to three times longer in the path.
    routerOptions: { maxParamLength: 1024 },
    // Router-level failures (bad percent-encoding, overlong params) bypass the error handler.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const problem = toProblem(error);
      void reply
        .code(problem.status)
        .type('application/problem+json')
        .send({ ...problem.body, field: 'path' });
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as GatehouseApp;
  app.setValidatorCompiler(validatorCompiler);
  // JSON routes take JSON only: without this, the text and form parsers (the OAuth endpoints need
  // forms) would hand a string or a flat form object to a JSON schema. A route that accepts other
  // types lists them in `schema.consumes`, which also documents them in the OpenAPI spec.
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema;
    if (!schema?.body) return;
    const accepted = (schema.consumes as readonly string[] | undefined) ?? ['application/json'];
    // No body at all (`curl -X POST …/revoke`) means an empty JSON object, so optional bodies are
    // optional and a create without one names its first missing field. Routes that read another
    // type (OAuth forms) get no body, as sent.
    if (request.body === undefined) {
      if (accepted.includes('application/json')) request.body = {};
      return;
    }
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (!type || !accepted.includes(type))
      throw new GatehouseError(
        'unsupported_media_type',
        `send the body as ${accepted.join(' or ')}`,
        { field: 'content-type' },
      );
  });
  app.setSchemaErrorFormatter((errors, dataVar) => {
    const first = errors[0];
    // Fields are named `body.x`, `query.x`, `params.x` everywhere (handlers use `query.` too).
    const part = dataVar === 'querystring' ? 'query' : dataVar;
    const { field, detail } = first
      ? describeValidationError(part, first)
      : { field: part, detail: `${part} is invalid` };
    return new GatehouseError('validation_failed', detail, { field });
  });
  app.setErrorHandler((error: FastifyError | GatehouseError, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    void reply
      .code(problem.status)
      .type('application/problem+json')
      .headers(problem.headers)
      .send(problem.body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .type('application/problem+json')
      .send(
        problemBody('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`),
      );
  });
  // An empty body sent as application/json (many clients always set the header) means "no body",
  // like a request without one; anything else goes through Fastify's own safe JSON parser.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') return done(null, undefined);
    return parseJson(request, text, done);
  });
  await app.register(formbody);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatehouse',
        version: '1',
        description: 'API token authority: issue, verify, revoke, audit.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await registerRoutes(app, ctx);
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  return app;
}

function toProblem(error: FastifyError | GatehouseError): {
  status: number;
  body: ReturnType<typeof problemBody>;
  headers: Record<string, string>;
} {
  if (error instanceof GatehouseError) {
    const headers: Record<string, string> = {};
    if (error.code === 'unauthorized') headers['www-authenticate'] = 'Bearer realm="gatehouse"';
    return {
      status: error.status,
      body: problemBody(error.code, error.message, error.field, error.extra),
      headers,
    };
  }
  const code = (error as FastifyError).code;
  const status = (error as FastifyError).statusCode ?? 500;
  if (
    code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    error instanceof SyntaxError
  ) {
    return {
      status: 400,
      body: problemBody('invalid_json', 'the request body is not valid JSON', 'body'),
      headers: {},
    };
  }
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      status: 413,
      body: problemBody('payload_too_large', error.message, 'body'),
      headers: {},
    };
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return {
      status: 415,
      body: problemBody(
        'unsupported_media_type',
        'send the body as application/json',
        'content-type',
      ),
      headers: {},
    };
  }
  if (status >= 400 && status < 500) {
    return {
      status,
      body: { ...problemBody('invalid_request', error.message), status },
      headers: {},
    };
  }
  return {
    status: 500,
    body: problemBody('internal', 'an internal error occurred; it has been logged'),
    headers: {},
  };
}
