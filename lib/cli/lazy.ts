/**
 * What only some inputs or commands need, loaded on first use (issue 23: an `audit` of one small
 * file is mostly module loading). Runtime dependencies: `commander` (not needed by `audit PATH...`), `yaml` (harden) and `dockerfile-ast`
 * (Dockerfiles) are about a hundred modules that an audit of manifests never uses. Modules of the
 * CLI: `harden` and its editing, the SARIF report (and `crypto`), the JSON report, `--by-namespace`
 * and `--admission-config`, the whole-text parser, the Dockerfile checks. Each is required here, on
 * first use, so that the modules on the start path of `audit` are only those every audit runs.
 *
 * Only types are imported at the top: a value import would load the module at start again
 * (test/cli/lazy-loading.test.ts checks what an audit of one YAML file loads).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as Commander from 'commander';
import type * as DockerfileAst from 'dockerfile-ast';
import type * as Yaml from 'yaml';
import type * as AuditNamespaces from './audit/audit-namespaces';
import type * as Dockerfile from './dockerfile';
import type * as Harden from './harden/harden';
import type * as ExemptionsDeclared from '../exemptions/declared';
import type * as HardeningVerify from '../hardening/verify';
import type * as ManifestParser from '../manifests/manifest-parser';
import type * as Namespaces from './audit/namespaces';
import type * as ReportJson from './report/report-json';
import type * as ReportSarif from './report/report-sarif';

let yamlModule: typeof Yaml | undefined;
let dockerfileAstModule: typeof DockerfileAst | undefined;

/** The `yaml` package (comment-preserving Document API), loaded on first use. */
export function yaml(): typeof Yaml {
  return (yamlModule ??= require('yaml') as typeof Yaml);
}

/**
 * The `commander` package, loaded on first use: `audit PATH...` with no option runs without it
 * (program.ts; commander loads `child_process` when it loads).
 */
export function commander(): typeof Commander {
  return require('commander') as typeof Commander;
}

/** The `dockerfile-ast` package, loaded on first use. */
export function dockerfileAst(): typeof DockerfileAst {
  return (dockerfileAstModule ??= require('dockerfile-ast') as typeof DockerfileAst);
}

// Node caches modules itself: these are `require` calls with their types, nothing more.

/** `harden.ts`: the `harden` command (registered only when it is the command run, or for help). */
export const hardenCommand = (): typeof Harden => require('./harden/harden') as typeof Harden;
/** `report-sarif.ts`: `--format sarif` and its options. */
export const reportSarif = (): typeof ReportSarif => require('./report/report-sarif') as typeof ReportSarif;
/** `report-json.ts`: `--format json`. */
export const reportJson = (): typeof ReportJson => require('./report/report-json') as typeof ReportJson;
/** `namespaces.ts`: `--by-namespace`'s policies and `--admission-config`. */
export const namespaces = (): typeof Namespaces => require('./audit/namespaces') as typeof Namespaces;
/** `audit-namespaces.ts`: `--by-namespace`. */
export const auditNamespaces = (): typeof AuditNamespaces => require('./audit/audit-namespaces') as typeof AuditNamespaces;
/** `dockerfile.ts`: the image checks of Dockerfiles. */
export const dockerfile = (): typeof Dockerfile => require('./dockerfile') as typeof Dockerfile;
/** `manifest-parser.ts`: the whole-text parser (a text given in-process; not the streamed files). */
export const manifestParser = (): typeof ManifestParser => require('../manifests/manifest-parser') as typeof ManifestParser;
/**
 * `exemptions/declared.ts` (the exemption codec and registry): read for an object whose pod template
 * has the exemptions annotation only.
 */
export const exemptionsDeclared = (): typeof ExemptionsDeclared => require('../exemptions/declared') as typeof ExemptionsDeclared;
/** `hardening/verify.ts`: what declared exemptions cover, with `--exemptions honor` only. */
export const hardeningVerify = (): typeof HardeningVerify => require('../hardening/verify') as typeof HardeningVerify;
