export type { TokenVerifier, VerifyOptions, VerifyResult } from '@gatehouse/core';
export {
  type AuditReporter,
  type AuditReporterOptions,
  createAuditReporter,
  type ReportedEvent,
} from './audit/audit-reporter.js';
export { type ClientOptions, createClient, type GatehouseClient } from './client/create-client.js';
export * from './client/types.js';
export { GatehouseApiError, GatehouseUnavailableError, type ProblemBody } from './errors.js';
export { ChangeFeed, type ChangeFeedOptions, type FeedStatus } from './feed/change-feed.js';
export type { ConnectionOptions } from './http.js';
export {
  type Authenticator,
  type AuthOutcome,
  createAuthenticator,
  type GatehouseIdentity,
  type GatehouseMiddlewareOptions,
  type RequestView,
} from './middleware/authenticate.js';
export { JWT_ALGORITHMS, type JwtOptions } from './verifier/jwt-verifier.js';
export {
  createVerifier,
  type RemoteVerifier,
  type RemoteVerifierOptions,
  type VerifierStats,
} from './verifier/remote-verifier.js';
