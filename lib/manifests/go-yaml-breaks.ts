/**
 * Line breaks as kubectl's YAML reader sees them. go-yaml v2 (YAML 1.1, a port of libyaml) breaks
 * lines at LF, CR, NEL (U+0085), LS (U+2028) and PS (U+2029); js-yaml (YAML 1.2) only at LF and CR.
 * So in
 *
 *     runAsNonRoot: true # note<U+2028>      privileged: true
 *
 * js-yaml reads one comment where kubectl reads a second key, and sends `privileged: true`.
 *
 * `goYamlLineBreaks` turns NEL, LS and PS into LF, one UTF-16 unit for one (offsets stay valid),
 * before js-yaml parses. go-yaml turns a NEL into LF wherever it reads one, so NEL is exact. LS and
 * PS it keeps as characters inside quoted and block scalars: quoted values are taken from
 * `goYamlQuotedText` (LS and PS kept); a block scalar has a line break where kubectl has LS or PS,
 * and a quoted scalar continued after LS at a smaller indentation is refused (js-yaml checks that
 * indentation, go-yaml does not): a string of an annotation or a command line, never a value read
 * otherwise by a rule.
 */

const BREAKS = /[\u0085\u2028\u2029]/g;
/** A byte order mark first in a document's chunk (right after its `---` line). */
const CHUNK_BOM = /^(---[^\n]*\n)\ufeff/gm;

/**
 * The text with YAML 1.1's extra line breaks (NEL, LS, PS) as LF; the same string when it has none.
 * Also a byte order mark that starts a document right after its `---` line becomes LF: kubectl hands
 * go-yaml each document's chunk alone, and go-yaml drops a BOM that starts its input (elsewhere it
 * is a character of the text, for both readers).
 */
export function goYamlLineBreaks(text: string): string {
  let out = text;
  if (out.indexOf('\ufeff') !== -1) out = out.replace(CHUNK_BOM, '$1\n');
  if (!hasYaml11Breaks(out)) return out;
  return out.replace(BREAKS, '\n');
}

/** The text for quoted scalars' values: go-yaml turns NEL into LF there too, and keeps LS and PS as characters. */
export function goYamlQuotedText(text: string): string {
  return text.indexOf('\u0085') === -1 ? text : text.replace(/\u0085/g, '\n');
}

/** Whether the text holds a line break that only YAML 1.1 readers (kubectl) see. */
export function hasYaml11Breaks(text: string): boolean {
  return text.indexOf('\u2028') !== -1 || text.indexOf('\u2029') !== -1 || text.indexOf('\u0085') !== -1;
}
