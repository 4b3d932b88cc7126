/**
 * A fresh consumer project, as users make one, for the package tests (consumer.test.ts: the core; lines.ci.ts: the
 * line packages): this repository's installed versions (so `npm install --prefer-offline` hits the cache), a strict
 * TypeScript configuration that type-checks the packages' declarations too (skipLibCheck off), and the commands run
 * without the npm settings of an enclosing `npm run`/`npx`.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');

/** The exact version installed in this repo (so the consumer's install hits the npm cache). */
export function installed(pkg: string): string {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
}

/** The environment without the npm settings of an enclosing `npm run`/`npx` (prefix, global ...). */
export function cleanEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig', 'npm_config_globalconfig']);
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') || keep.has(k.toLowerCase())));
}

/** Runs `cmd` in `cwd` with the clean environment (`input` on its stdin). */
export function run(cmd: string, args: string[], cwd: string, timeout: number, input?: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024, timeout });
}

/** The output of a run that must succeed; otherwise an error with its output. */
export function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * Writes a consumer project into `dir` (package.json with `dependencies` plus TypeScript and @types/node, a strict
 * tsconfig, `src/main.ts` = `program`), installs it (npm installs the peers it needs, so an unwanted package shows up)
 * and compiles it with the installed tsc into dist/.
 */
export function consumerProject(dir: string, dependencies: Record<string, string>, program: string, timeout: number): void {
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: path.basename(dir),
    version: '1.0.0',
    private: true,
    dependencies,
    devDependencies: { 'typescript': installed('typescript'), '@types/node': installed('@types/node') },
  }, undefined, 2));
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true,
      target: 'ES2022',
      module: 'node16',
      moduleResolution: 'node16',
      outDir: 'dist',
      rootDir: 'src',
      types: ['node'],
      // type-check the packages' declarations too, as a consumer without skipLibCheck would
      skipLibCheck: false,
    },
    include: ['src/**/*.ts'],
  }, undefined, 2));
  fs.writeFileSync(path.join(dir, 'src', 'main.ts'), program);
  ok(run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir, timeout), `npm install in ${path.basename(dir)}`);
  ok(run(process.execPath, [path.join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], dir, timeout), `tsc in ${path.basename(dir)}`);
}
