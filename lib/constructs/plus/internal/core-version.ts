/**
 * Internal: a line package (`cdk8s-rootless-plus-NN`) runs only on the core it was released with (docs/lines.md): it
 * loads the core's internal files (deep imports), so it peers the core at the exact same version. npm refuses another
 * version (ERESOLVE), but an install forced with `--legacy-peer-deps` or `--force` (or a package manager that only warns
 * about peers) puts them together anyway, and the line package would then run on internals it was never built with.
 *
 * The check reads the version jsii writes into every class of a compiled package (its runtime type information,
 * `Symbol.for('jsii.rtti')`): the line's own class against the core's `Exemption`. Where either has none (the sources run
 * by ts-jest, or compiled by tsc alone) there is nothing to compare and nothing is checked.
 *
 * Not exported from the package.
 */
import { Exemption } from '../../../exemptions/exemption';

const RTTI = Symbol.for('jsii.rtti');

/** The package name and version a jsii-compiled class was released in, if it has them. */
function released(cls: unknown): { name: string; version: string } | undefined {
  const rtti = (cls as { [RTTI]?: { fqn?: unknown; version?: unknown } } | undefined)?.[RTTI];
  if (typeof rtti?.fqn !== 'string' || typeof rtti.version !== 'string') return undefined;
  return { name: rtti.fqn.slice(0, rtti.fqn.lastIndexOf('.')), version: rtti.version };
}

/**
 * Throws when the installed core is not the version the line package `own` (one of its classes) was released with.
 * `core` is a class of the core (default: `Exemption`).
 */
export function checkCoreVersion(own: unknown, core: unknown = Exemption): void {
  const line = released(own);
  const installed = released(core);
  if (!line || !installed || line.version === installed.version) return;
  throw new Error(`${line.name} ${line.version} runs only on ${installed.name} ${line.version} (it loads the core's internal `
    + `files; its peer dependency is that exact version), and ${installed.name} ${installed.version} is installed: the install `
    + 'was forced (--legacy-peer-deps, --force) or the package manager ignored the peer dependency. '
    + `Fix: install the two at one version, e.g. \`npm install ${installed.name}@${line.version} ${line.name}@${line.version}\`.`);
}
