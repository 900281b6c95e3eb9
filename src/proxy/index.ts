export {
  type AuthorizationOutcome,
  authorizeRequest,
  MANAGEMENT_API,
} from './authorize-request.js';
export { assertSafeBind, isLoopbackHost, ProxyConfigError } from './bind-safety.js';
export { createProxy, type ProxyHandle, type ProxyOptions } from './create-proxy.js';
export {
  decideForwardAuth,
  type ForwardAuthDecision,
  parseScopes,
} from './forward-auth-decision.js';
export { IDENTITY_HEADERS, identityHeaders } from './identity-headers.js';
export { loadPolicyFile, PolicyFileError, parsePolicyText } from './policy-file.js';
export { openPolicySource, type PolicySource } from './policy-source.js';
export { type ProxyLogger, silentLogger, stderrLogger } from './proxy-logger.js';
export {
  type ProxyCommandHandle,
  type ProxyCommandOptions,
  runProxyCommand,
} from './run-proxy-command.js';
