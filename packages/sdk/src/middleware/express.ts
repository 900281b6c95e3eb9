import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  createAuthenticator,
  type GatehouseIdentity,
  type GatehouseMiddlewareOptions,
} from './authenticate.js';

export type { GatehouseIdentity, GatehouseMiddlewareOptions } from './authenticate.js';

declare global {
  // Express request types are extended through this global namespace.
  namespace Express {
    interface Request {
      /** Set by the Gatehouse middleware once the token is verified. */
      gatehouse?: GatehouseIdentity;
    }
  }
}

/**
 * Express middleware: verifies the bearer token (one verifier call) and sets `req.gatehouse`,
 * or answers per RFC 6750 (401/400/403/429, 503 when verification is unavailable).
 * @example
 * const verifier = createVerifier({ url: GATEHOUSE_URL, token: GATEHOUSE_TOKEN });
 * app.get('/orders', gatehouse({ verifier, scopes: ['orders:read'] }), (req, res) => {
 *   res.json({ subject: req.gatehouse?.subject });
 * });
 */
export function gatehouse(options: GatehouseMiddlewareOptions): RequestHandler {
  const auth = createAuthenticator(options);
  return function gatehouseAuth(req: Request, res: Response, next: NextFunction): void {
    auth
      .authenticate({
        header: (name) => req.headers[name],
        url: req.originalUrl,
        ip: req.ip,
        method: req.method,
      })
      .then((outcome) => {
        if (outcome.ok) {
          req.gatehouse = outcome.identity;
          next();
          return;
        }
        res.status(outcome.status).set(outcome.headers).json(outcome.body);
      }, next);
  };
}
