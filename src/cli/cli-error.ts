/** Exit codes: 0 ok, 1 a check found something (scan/check), 2 usage or input error, 3 server/API error, 4 auth. */
export const EXIT = { ok: 0, found: 1, usage: 2, api: 3, auth: 4 } as const;

/**
 * A failure to report as one clear line on stderr with a meaningful exit code (no stack trace).
 * @example throw new CliError('--ttl must look like 30d', EXIT.usage)
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
