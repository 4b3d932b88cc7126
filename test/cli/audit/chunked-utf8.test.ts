/**
 * The streamed reader decodes UTF-8 chunk by chunk (lib/cli/manifest-reader.ts: a chunk that ends in an
 * ASCII byte is decoded without the StringDecoder): however the input is cut into chunks, characters of
 * 2, 3 and 4 bytes split across chunks and invalid bytes read exactly as the whole text decoded at once.
 */
import { Readable } from 'stream';
import { run } from '../../../lib/cli/program';
import { FIXTURES } from '../helpers';

const POD = (name: string): string => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {note: "${name}"}\nspec:\n  containers:\n  - name: ${name}\n    image: x\n    securityContext: {privileged: true}\n---\n`;

async function audit(chunks: Buffer[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(['audit', '-', '--format', 'json'], {
    stdin: Readable.from(chunks),
    stdout: { write: (s: string) => { stdout += s; return true; } },
    stderr: { write: (s: string) => { stderr += s; return true; } },
    cwd: FIXTURES,
  });
  return { code, stdout, stderr };
}

test('chunks cut anywhere read as the whole text', async () => {
  const text = Buffer.concat([
    Buffer.from(POD('caf\u00e9-\u20ac-\u{1F600}-x') + POD('ascii-only') + POD('\u00fc\u00fc\u00fc')),
    Buffer.from('apiVersion: v1\nkind: Pod\nmetadata: {name: q, annotations: {bad: "a'), Buffer.from([0xc3, 0x41, 0xe2, 0x82]), Buffer.from('b"}}\nspec: {containers: [{name: c, image: y}]}\n'),
  ]);
  const whole = await audit([text]);
  expect(whole.stdout).toContain('caf\u00e9-\u20ac-\u{1F600}-x');
  expect(whole.stdout).toContain('\u00fc\u00fc\u00fc');
  for (const size of [1, 2, 3, 5, 7, 64]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < text.length; i += size) chunks.push(text.subarray(i, i + size));
    expect(await audit(chunks)).toEqual(whole);
  }
});
