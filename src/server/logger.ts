import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs. Every path that could ever hold a secret is redacted as a second line of
 * defence; the first is never putting one in a log call.
 */
export function createLogger(
  options: { level?: string; destination?: NodeJS.WritableStream } = {},
): Logger {
  return pino(
    {
      level: options.level ?? process.env.GATEHOUSE_LOG_LEVEL ?? 'info',
      base: { service: 'gatehouse' },
      redact: {
        paths: [
          'token',
          'secret',
          '*.token',
          '*.secret',
          'req.headers.authorization',
          'headers.authorization',
          'body.token',
          'body.client_secret',
        ],
        censor: '[redacted]',
      },
    },
    options.destination ?? process.stdout,
  );
}
