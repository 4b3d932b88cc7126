/**
 * Runtime dependencies that only some inputs or commands need, loaded on first use: every
 * `cdk8s-rootless` run loads the modules of all its commands, and `yaml` (harden) and
 * `dockerfile-ast` (Dockerfiles) are about a hundred modules that an audit of manifests never uses.
 */
import type * as DockerfileAst from 'dockerfile-ast';
import type * as Yaml from 'yaml';

let yamlModule: typeof Yaml | undefined;
let dockerfileAstModule: typeof DockerfileAst | undefined;

/** The `yaml` package (comment-preserving Document API), loaded on first use. */
export function yaml(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yamlModule ??= require('yaml') as typeof Yaml);
}

/** The `dockerfile-ast` package, loaded on first use. */
export function dockerfileAst(): typeof DockerfileAst {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (dockerfileAstModule ??= require('dockerfile-ast') as typeof DockerfileAst);
}
