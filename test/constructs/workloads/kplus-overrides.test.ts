/**
 * The one module that overrides cdk8s-plus-27 internals checks at load that they exist
 * (lib/constructs/plus/internal/kplus-overrides.ts), and nothing else in lib/ reaches into cdk8s or cdk8s-plus internals.
 */
import * as fs from 'fs';
import * as path from 'path';
import { checkKplusInternals } from '../../../lib/constructs/plus/internal/kplus-overrides';

/** The installed line (a line run maps cdk8s-plus-27 to it): the message names it, never another line. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const installed: { name: string; version: string } = require('cdk8s-plus-27/package.json');

test('a cdk8s-plus without an overridden member fails naming the installed line and version, and the fix', () => {
  class Renamed { public _toPodSpecV2(): void {} }
  expect(() => checkKplusInternals([['Workload', Renamed, '_toPodSpec']]))
    .toThrow(new RegExp(`cdk8s-rootless: ${installed.name} ${installed.version.replace(/\./g, '\\.')} has no Workload\\._toPodSpec\\(\\).*`
      + `Fix: install a ${installed.name} 2\\.x version that has it`, 's'));
  expect(() => checkKplusInternals()).not.toThrow();
});

test('lib/ uses no cdk8s or cdk8s-plus internals: no toJson replaced by a serialization of its own, private fields, or prototype patches', () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(path.join(__dirname, '..', '..', '..', 'lib'));
  const offending = files.flatMap(f => fs.readFileSync(f, 'utf8').split('\n')
    .map((line, i) => ({ line, at: `${path.relative(process.cwd(), f)}:${i + 1}` }))
    .filter(({ line }) => /\.toJson\s*=[^=]|_additionalAttributes|\.patches\b|defineProperty\([\w.]*prototype|defineProperty\([^)]*'toJson'|\._createHeadlessService/.test(line)))
    .map(o => `${o.at}: ${o.line.trim()}`);
  // the one exception: the one verifier overrides toJson on the objects it verifies, and its override calls the toJson the
  // object had (cdk8s' serialization) and verifies that result (test/constructs/workloads/one-render.test.ts shows patches and Lazy values
  // in it are verified), installed so that it cannot be replaced: one line, in that module
  const verifier = offending.filter(o => /^lib\/constructs\/internal\/output-verifier\.ts:\d+: Object\.defineProperty\(obj, 'toJson', \{$/.test(o));
  expect(verifier).toHaveLength(1);
  expect(offending.filter(o => !verifier.includes(o))).toEqual([]);
  const source = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'lib', 'constructs', 'internal', 'output-verifier.ts'), 'utf8');
  expect(source).toMatch(/const original = obj\.toJson;[\s\S]*manifest = original\.call\(obj\);[\s\S]*check\.verify\(manifest\)/);
});
