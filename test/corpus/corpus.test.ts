/**
 * The real-world corpus (test/corpus/README.md): every file is recorded with its source and licence, every record
 * names a file, and every file is a readable Kubernetes manifest as kubectl reads it (checked in the oracle tests).
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = __dirname;
const PERMISSIVE = new Set(['Apache-2.0', 'MIT', 'BSD-3-Clause', 'BSD-2-Clause', 'CC-BY-4.0']);

interface Source { file: string; repository: string; path: string; commit: string; licence: string }

const sources: Source[] = JSON.parse(fs.readFileSync(path.join(ROOT, 'sources.json'), 'utf8')).files;
const onDisk = fs.readdirSync(ROOT, { withFileTypes: true })
  .filter(d => d.isDirectory())
  .flatMap(d => fs.readdirSync(path.join(ROOT, d.name)).map(f => `${d.name}/${f}`))
  .sort();

describe('the real-world corpus', () => {
  test('every file on disk is recorded, and every record names a file on disk', () => {
    expect(sources.map(s => s.file).sort()).toEqual(onDisk);
  });

  test.each(sources.map(s => [s.file, s] as const))('%s: source, commit and a permissive licence are recorded', (_f, s) => {
    expect(s.repository).toMatch(/^github\.com\/[\w.-]+\/[\w.-]+$/);
    expect(s.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(PERMISSIVE.has(s.licence)).toBe(true);
    expect(s.file.startsWith(s.repository.slice('github.com/'.length).replace('/', '__') + '/')).toBe(true);
    expect(s.file.endsWith(s.path.replace(/\//g, '__'))).toBe(true);
  });

  test('it spans at least eight projects', () => {
    expect(new Set(sources.map(s => s.repository)).size).toBeGreaterThanOrEqual(8);
  });
});
