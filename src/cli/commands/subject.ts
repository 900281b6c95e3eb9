import type { Command } from 'commander';
import { withClient } from '../connection.js';
import { printJson } from '../output.js';

/** `gatehouse subject revoke SUBJECT`: revokes every active token of one owner. */
export function registerSubject(program: Command): void {
  const subject = program.command('subject').description("act on all of a subject's tokens");
  subject
    .command('revoke')
    .description('revoke every active token of a subject (a user left, a service was retired)')
    .argument('<subject>', 'the subject, as given with token create --subject')
    .option('--json', "print the API's JSON answer")
    .action(async (name: string, flags: { json?: boolean }) => {
      const result = await withClient((gh) => gh.subjects.revoke(name));
      if (flags.json) return printJson(result);
      process.stdout.write(
        `Revoked ${result.revoked} token${result.revoked === 1 ? '' : 's'} of subject ${name}\n`,
      );
    });
}
