/**
 * The `bitweave` command. Each subcommand lives in cli/commands/ and is registered here.
 * Exit codes: 0 success, 1 failed check or internal error, 2 bad input or usage.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InputError } from '../sim/errors.ts';
import { setLogLevel } from './logger.ts';
import { commands } from './commands/index.ts';

async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  let usageError: string | undefined;
  let parser: Argv = yargs(argv)
    .scriptName('bitweave')
    .usage('$0 <command> [options]')
    .option('verbose', { type: 'boolean', describe: 'print stack traces of errors', global: true })
    .option('log-level', {
      type: 'string',
      choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
      describe: 'log level (logs go to stderr)',
      global: true,
    })
    .middleware((args) => {
      if (typeof args.logLevel === 'string') setLogLevel(args.logLevel);
    })
    .demandCommand(1, 'name a command (see --help)')
    .strict()
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      if (err) throw err;
      usageError = msg;
    });
  for (const c of commands) parser = parser.command(c);
  try {
    await parser.parseAsync();
  } catch (err) {
    if (err instanceof InputError) {
      process.stderr.write(`bitweave: ${err.message}\n`);
      if (verbose && err.stack) process.stderr.write(err.stack + '\n');
      return 2;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`bitweave: internal error: ${e.message}\n`);
    if (verbose && e.stack) process.stderr.write(e.stack + '\n');
    else process.stderr.write('(run again with --verbose for the stack trace)\n');
    return 1;
  }
  if (usageError !== undefined) {
    process.stderr.write(`bitweave: ${usageError}\n(see bitweave --help)\n`);
    return 2;
  }
  return process.exitCode === undefined ? 0 : Number(process.exitCode);
}

main(hideBin(process.argv)).then((code) => {
  process.exitCode = code;
});
