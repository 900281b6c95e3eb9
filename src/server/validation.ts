import { Ajv, type ErrorObject } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

// Bodies are validated strictly: no type coercion, unknown fields rejected (never silently dropped).
const bodyAjv = new Ajv({
  allErrors: false,
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: true,
  strict: false,
});
// Query strings and path params are text on the wire, so they are coerced.
const queryAjv = new Ajv({
  allErrors: false,
  coerceTypes: 'array',
  removeAdditional: false,
  useDefaults: true,
  strict: false,
});
for (const ajv of [bodyAjv, queryAjv]) {
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (s: string) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s),
  });
  ajv.addFormat('uri', { type: 'string', validate: (s: string) => URL.canParse(s) });
}

/** Fastify validator compiler choosing strict or coercing Ajv per request part. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : queryAjv;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
};

/** Turns the first Ajv error into a field path (`body.scopes[0]`) and a readable message. */
export function describeValidationError(
  part: string,
  error: ErrorObject,
): { field: string; detail: string } {
  const path = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`))
    .join('');
  let field = `${part}${path}`;
  let detail = `${field} ${error.message ?? 'is invalid'}`;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') {
    field = `${field}.${String(params.additionalProperty)}`;
    detail = `${field} is not a known field`;
  } else if (error.keyword === 'required') {
    field = `${field}.${String(params.missingProperty)}`;
    detail = `${field} is required`;
  }
  return { field, detail };
}
