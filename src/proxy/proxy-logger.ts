/** The slice of a pino logger the proxy uses (pino's `(fields, message)` argument order). */
export interface ProxyLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * A logger writing one JSON line per event to stderr, for callers that bring no pino instance.
 * @example createProxy({ ..., logger: stderrLogger })
 */
export const stderrLogger: ProxyLogger = {
  info: (fields, message) => write('info', fields, message),
  warn: (fields, message) => write('warn', fields, message),
  error: (fields, message) => write('error', fields, message),
};

/** Drops everything (tests that assert on behaviour, benchmarks). */
export const silentLogger: ProxyLogger = { info() {}, warn() {}, error() {} };

function write(level: string, fields: Record<string, unknown>, msg: string): void {
  process.stderr.write(`${JSON.stringify({ level, time: Date.now(), msg, ...fields })}\n`);
}
