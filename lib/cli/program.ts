/**
 * The `cdk8s-rootless` (and `kubectl-rootless`) command line: a commander program whose
 * subcommands register themselves (`audit`, `harden`).
 *
 * Loads only the policy engine and file-format code: never cdk8s, cdk8s-plus or
 * constructs (start-up time; see docs/architecture.md, "Layers"). `harden` is loaded only when it is
 * the command run, or when every command must be known (help, a mistyped command): an `audit` loads
 * the modules of `audit` only (`lazy.ts`). `audit PATH...` with no option (the common command line)
 * runs `audit` with its defaults without building the commander program (`plainAuditPaths`).
 */
import { AUDIT_DEFAULTS, plainAuditPaths, registerAuditCommand, runAudit } from './audit/audit';
import { CliIo, ExitCode, HardenExitCode, UsageError, processIo } from './io';
import { commander, hardenCommand } from './lazy';
import { toolVersion } from './report/report';

/**
 * Runs the command line in-process and resolves to its exit code (never calls
 * `process.exit`).
 *
 * @param argv the arguments after the program name (e.g. `['audit', 'k8s/']`)
 * @param io the streams and working directory
 * @param programName the name in usage lines (`cdk8s-rootless`, or `kubectl rootless` as a kubectl plugin)
 */
export async function run(argv: readonly string[], io: CliIo = processIo(), programName = 'cdk8s-rootless'): Promise<number> {
  let exitCode: number = ExitCode.OK;
  const cwd = io.cwd ?? process.cwd();
  const ctx = { io, cwd, setExitCode: (code: number) => { exitCode = code; } };
  const plain = plainAuditPaths(argv);
  if (plain !== undefined) {
    try {
      await runAudit(plain, { ...AUDIT_DEFAULTS }, ctx);
    } catch (e) {
      return failed(e, io, programName, ExitCode.ERROR);
    }
    return exitCode;
  }
  const { Command } = commander();
  const program = new Command(programName)
    .description('Pod Security Standards tools for Kubernetes manifests and cdk8s apps.')
    .version(toolVersion(), '-V, --version', 'print the version of cdk8s-rootless')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: s => io.stdout.write(s),
      writeErr: s => io.stderr.write(s),
    })
    .showHelpAfterError(`(run "${programName} --help" for usage)`)
    .addHelpText('after', `\nRun "${programName} <command> --help" for a command's options.`);
  // a usage error exits 2, or 3 for harden (whose 2 means "refused": docs/cli.md)
  let usageCode: number = ExitCode.ERROR;
  program.hook('preSubcommand', (_program, sub) => { usageCode = sub.name() === 'harden' ? HardenExitCode.ERROR : ExitCode.ERROR; });
  // The command named first is the one run (a program option before it would be `--help` or
  // `--version`, which need no command's modules beyond the names): only its modules are loaded.
  const named = argv[0];
  if (named !== 'harden') registerAuditCommand(program, ctx);
  if (named !== 'audit') hardenCommand().registerHardenCommand(program, ctx);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof commander().CommanderError) {
      // --help and --version exit 0; every usage error exits 2, or 3 for harden (commander says 1).
      return e.exitCode === 0 ? ExitCode.OK : usageCode;
    }
    return failed(e, io, programName, usageCode);
  }
  return exitCode;
}

/** Reports an error of a command's run (a UsageError, else an internal error) and returns `usageCode`. */
function failed(e: unknown, io: CliIo, programName: string, usageCode: number): number {
  if (e instanceof UsageError) {
    io.stderr.write(`error: ${e.message}\n(run "${programName} --help" for usage)\n`);
    return usageCode;
  }
  io.stderr.write(`internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  return usageCode;
}
