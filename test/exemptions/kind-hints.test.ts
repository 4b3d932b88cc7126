/**
 * Exemption kinds are data (docs/architecture.md, "The exemption model"): the adopt rules
 * (lib/hardening/adopt/) and the CLI (lib/cli/) word every fix that names a kind from the registry
 * (lib/hardening/adopt/hints.ts), so that adding a kind edits neither. This reads every string literal
 * and template text of those folders (with the TypeScript parser, comments excluded) and fails on one
 * that names a kind: its factory (`Exemption.privileged`), `exemption <id>` / `<id> exemption`, or an id
 * that is not also the name of a field or volume source (`runAsRoot`; `hostPID` is a field name too,
 * and `privileged` a field and a Pod Security level). The names come from the registry itself.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { EXEMPTION_KINDS } from '../../lib/exemptions/registry';

const ROOT = path.join(__dirname, '..', '..');
const FOLDERS = ['lib/hardening/adopt', 'lib/cli'];

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap(e => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The text of every string literal and template part of a file, with its line. */
function literals(file: string): { text: string; line: number }[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: { text: string; line: number }[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) {
      // an import specifier names a module, not a kind
      if (!ts.isImportDeclaration(n.parent) && !ts.isExportDeclaration(n.parent) && !ts.isExternalModuleReference(n.parent)) {
        out.push({ text: n.text, line: sf.getLineAndCharacterOfPosition(n.getStart()).line + 1 });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

const ids = EXEMPTION_KINDS.map(k => k.id as string);
/** Names that are also a field (an effect's, a CEL condition key) or a volume source: allowed alone, as the field. */
const fieldNames = new Set(EXEMPTION_KINDS.flatMap(k =>
  [...k.cel.fields ?? [], ...(k.effects ?? []).map(e => e.field), ...k.cel.volumeSource ? [k.cel.volumeSource] : []]));
const word = (id: string) => `(?<![A-Za-z0-9_])${id}(?![A-Za-z0-9_])`;
const patterns = ids.flatMap(id => [
  new RegExp(`Exemption\\.${id}(?![A-Za-z0-9_])`),
  new RegExp(`exemptions? ${word(id)}|${word(id)} exemption`, 'i'),
  ...fieldNames.has(id) ? [] : [new RegExp(word(id))],
]);

/** The literals of these files that name an exemption kind, as `file:line: text`. */
function naming(files: readonly string[]): string[] {
  return files.flatMap(f => literals(f).filter(l => patterns.some(p => p.test(l.text))).map(l => `${f}:${l.line}: ${l.text}`));
}

test('the list of names comes from the registry, and the check finds a kind named in a literal', () => {
  expect(ids).toEqual(expect.arrayContaining(['runAsRoot', 'privileged', 'hostNetwork']));
  expect(fieldNames.has('hostPID')).toBe(true);
  expect(fieldNames.has('runAsRoot')).toBe(false);
  const probe = (s: string) => patterns.some(p => p.test(s));
  expect(probe('keep it only with exemption privileged.')).toBe(true);
  expect(probe('declare Exemption.hostNetwork(reason)')).toBe(true);
  expect(probe('run it as root (runAsRoot)')).toBe(true);
  expect(probe('the hostPID exemption')).toBe(true);
  expect(probe('privileged: true gives it the node\'s full privileges')).toBe(false);
  expect(probe('pod: hostNetwork: true')).toBe(false);
  expect(probe('warn and audit privileged')).toBe(false);
});

test('the probe reads literals and template text, not comments or imports', () => {
  const dir = fs.mkdtempSync(path.join(ROOT, 'test', 'exemptions', '.probe-'));
  try {
    const rel = path.relative(ROOT, path.join(dir, 'x.ts'));
    fs.writeFileSync(path.join(dir, 'x.ts'), [
      "import { x } from './runAsRoot';",
      '// keep it only with exemption privileged',
      'export const a = `keep it only with exemption privileged (${x}).`;',
      "export const b = 'or Exemption.hostPath(reason)';",
    ].join('\n'));
    expect(naming([rel])).toEqual([
      `${rel}:3: keep it only with exemption privileged (`,
      `${rel}:4: or Exemption.hostPath(reason)`,
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.each(FOLDERS)('no string literal in %s names an exemption kind (the registry words the hints)', folder => {
  const files = sources(folder);
  expect(files.length).toBeGreaterThan(3);
  expect(naming(files)).toEqual([]);
});
