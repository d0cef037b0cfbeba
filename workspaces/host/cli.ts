// The `entrybench` command line: subcommands, each with --help, results as text or --json.
import { formatHelp, parseArgs, UsageError, type CommandIO, type CommandSpec } from './cli/args.js';
import { serveCommand } from './cli/serve.js';
import { openCommand } from './cli/open.js';
import { buildCommand } from './cli/build.js';
import { walkCommand, bisectCommand } from './cli/walk.js';
import { applyCommand } from './cli/apply.js';
import { replyCommand } from './cli/reply.js';
import { checkCommand } from './cli/check.js';
import { bootCommand } from './cli/boot.js';
import { ReviewError } from '../errors.js';
import { packageVersion } from './host.js';

/** Every subcommand; issues add theirs here. */
export const commands: CommandSpec[] = [serveCommand, buildCommand, openCommand, applyCommand, replyCommand, walkCommand, bisectCommand, checkCommand, bootCommand];

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'entrybench: review Linux x86 entry-code patch series',
    '',
    'Usage: entrybench COMMAND [OPTIONS] [ARGS]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `entrybench COMMAND --help` for the options of one command.',
    '',
  ].join('\n');
}

export const stdio: CommandIO = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  },
};

export async function runCli(argv: string[], io: CommandIO = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === 'version') {
    io.out(`entrybench ${packageVersion()}\n`);
    return 0;
  }
  const spec = commands.find((c) => c.name === name);
  if (!spec) {
    io.err(`entrybench: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  try {
    const args = parseArgs(rest, spec);
    if (args.flags.has('help')) {
      io.out(formatHelp(spec));
      return 0;
    }
    return await spec.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`entrybench ${name}: ${err.message}\n\n${formatHelp(spec)}`);
      return 2;
    }
    if (err instanceof ReviewError) {
      io.err(`entrybench ${name}: ${err.message}\n  ${err.hint}\n`);
      return 1;
    }
    throw err;
  }
}
