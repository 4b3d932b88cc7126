/**
 * `audit PATH...` with no option runs without building the commander program (lib/cli/program.ts,
 * issue 23: start-up). It must run exactly what commander would: the same paths, the same options
 * (AUDIT_DEFAULTS, which the commander options are declared with), the same output and exit codes.
 */
import { Command } from 'commander';
import { AUDIT_DEFAULTS, AuditOptions, CommandContext, plainAuditPaths, registerAuditCommand } from '../../../lib/cli/audit/audit';
import { cli, tmpDir, writeFiles } from '../helpers';

/** What commander gives the audit action for `argv`. */
async function viaCommander(argv: string[]): Promise<{ paths: string[]; opts: AuditOptions }> {
  let got: { paths: string[]; opts: AuditOptions } | undefined;
  const program = new Command('cdk8s-rootless').exitOverride();
  const ctx: CommandContext = { io: { stdin: process.stdin, stdout: { write: () => true }, stderr: { write: () => true } }, cwd: '.', setExitCode: () => undefined };
  registerAuditCommand(program, ctx, async (paths, opts) => { got = { paths, opts: { ...opts } }; });
  await program.parseAsync(argv, { from: 'user' });
  if (!got) throw new Error('the action did not run');
  return got;
}

describe('plainAuditPaths', () => {
  test.each([
    [['audit', 'a.yaml']],
    [['audit', 'a.yaml', 'k8s/', '-']],
    [['audit', '-']],
    [['audit', 'dir with space/x.yaml', 'Dockerfile']],
  ])('%j: the paths and options commander gives', async argv => {
    const paths = plainAuditPaths(argv);
    expect(paths).toEqual(argv.slice(1));
    const commander = await viaCommander(argv);
    expect(commander.paths).toEqual(paths);
    // exactly the defaults: no option commander sets that the plain path would not
    expect(commander.opts).toEqual({ ...AUDIT_DEFAULTS });
  });

  test.each([
    [[]],
    [['audit']],
    [['harden', 'a.yaml']],
    [['audit', 'a.yaml', '--format', 'json']],
    [['audit', '-q', 'a.yaml']],
    [['audit', 'a.yaml', '--']],
    [['audit', '--help']],
    [['--version']],
    [['audit', 'a.yaml', '-f', 'json']],
    [['audit', 'a.yaml', '--level=baseline']],
  ])('%j: left to commander', argv => {
    expect(plainAuditPaths(argv)).toBeUndefined();
  });
});

describe('the plain path and commander give the same output and exit code', () => {
  // `--exemptions ignore` is the default: it only sends the same command line through commander
  const both = async (args: string[], options: { stdin?: string; cwd?: string } = {}): Promise<void> => {
    expect(plainAuditPaths(['audit', ...args])).toBeDefined();
    const plain = await cli(['audit', ...args], options);
    const commander = await cli(['audit', ...args, '--exemptions', 'ignore'], options);
    expect(plain).toEqual(commander);
  };

  test('allowed, denied, invalid, missing and unparsable inputs, standard input', async () => {
    await both(['restricted-pod.yaml']);
    await both(['baseline-pod.yaml']);
    await both(['baseline-pod.yaml', 'restricted-pod.yaml', 'no-such-file.yaml']);
    await both(['-'], { stdin: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x, securityContext: {privileged: true}}]\n' });
    const dir = tmpDir();
    writeFiles(dir, { 'bad.yaml': 'a: [\n', 'empty.yaml': '' });
    await both(['bad.yaml'], { cwd: dir });
    await both(['empty.yaml'], { cwd: dir });
    await both(['.'], { cwd: dir });
  });
});
