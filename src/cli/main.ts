#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './cli-error.js';
import { registerApis } from './commands/apis.js';
import { registerAudit } from './commands/audit.js';
import { registerKeys } from './commands/keys.js';
import { registerProxy } from './commands/proxy.js';
import { registerServe } from './commands/serve.js';
import { registerSubject } from './commands/subject.js';
import { registerToken } from './commands/token.js';

/** Builds the `gatehouse` command tree. Each command lives in its own file under `commands/`. */
export function buildProgram(): Command {
  const program = new Command()
    .name('gatehouse')
    .description('API token authority: issue, verify, revoke and audit scoped tokens')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerServe(program);
  registerProxy(program);
  registerToken(program);
  registerSubject(program);
  registerApis(program);
  registerAudit(program);
  registerKeys(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof CliError) {
      process.stderr.write(`gatehouse: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`gatehouse: ${(error as Error).message ?? String(error)}\n`);
    return EXIT.api;
  }
}

process.exitCode = await main(process.argv);
