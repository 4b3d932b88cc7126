/**
 * The indentation go-yaml accepts and js-yaml does not. go-yaml (a port of libyaml) checks no
 * indentation inside a flow collection or on the continuation lines of a quoted scalar, so kubectl
 * applies
 *
 *     args: [                          annotations:
 *       "-config", "/run/agent.conf"     a: 'line one
 *     ]                                line two'
 *
 * which js-yaml refuses ("deficient indentation"). Inside a flow collection indentation means
 * nothing, and a quoted scalar's line folding drops the leading blanks of its continuation lines,
 * so indenting such lines more changes no value. `indentFlowContinuations` does that, and the
 * reader tries the result only when js-yaml refused the original text.
 *
 * It is a line lexer, not a parser: it tracks quotes, flow brackets, comments and block scalars
 * well enough to find the lines that continue a quoted scalar or a flow collection. A line that
 * would be a document marker (`---`, `...` at column 0) is left alone: go-yaml refuses it too.
 */

/** The text with each continuation line of a flow collection or quoted scalar indented past its parent; undefined when nothing changes. */
export function indentFlowContinuations(text: string): string | undefined {
  const lines = text.split('\n');
  let quote = ''; // the open quote character, '' when none
  let flow = 0; // open flow brackets
  let minIndent = 0; // the indentation a continuation line needs
  let blockIndent = -1; // > -1: inside a block scalar whose parent line had this indentation
  let changed = false;
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n];
    const indent = leadingSpaces(line);
    const blank = indent === line.length || line.trim().length === 0;
    if (blockIndent >= 0) {
      if (blank || indent > blockIndent) continue;
      blockIndent = -1;
    }
    const continuing = quote !== '' || flow > 0;
    if (continuing) {
      if (!blank && indent < minIndent && !/^(---|\.\.\.)(\s|$)/.test(line)) {
        line = ' '.repeat(minIndent) + line.slice(indent);
        lines[n] = line;
        changed = true;
      }
    } else {
      // the parent's indentation: past the `- ` of sequence entries that start on this line
      let k = indent;
      while (line[k] === '-' && (line[k + 1] === ' ' || line[k + 1] === undefined)) {
        k++;
        while (line[k] === ' ') k++;
      }
      minIndent = k + 1;
    }
    // lex the line
    let i = continuing ? 0 : indent;
    let tokenStart = !continuing || flow > 0;
    for (; i < line.length; i++) {
      const c = line[i];
      if (quote !== '') {
        if (quote === '"' && c === '\\') {
          i++;
        } else if (c === quote) {
          if (quote === "'" && line[i + 1] === "'") i++;
          else quote = '';
        }
        continue;
      }
      if (c === ' ' || c === '\t') {
        tokenStart = true;
        continue;
      }
      if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break;
      if (tokenStart && (c === '"' || c === "'")) {
        quote = c;
        tokenStart = false;
        continue;
      }
      if (tokenStart && (c === '[' || c === '{')) {
        flow++;
        continue;
      }
      if (flow > 0 && (c === ']' || c === '}')) {
        flow--;
        tokenStart = false;
        continue;
      }
      if (flow > 0 && (c === ',' || c === ':')) {
        tokenStart = true;
        continue;
      }
      if (tokenStart && flow === 0 && (c === '|' || c === '>')) {
        // a block scalar header: the rest is indicators and a comment
        const rest = line.slice(i + 1).replace(/\s+#.*$/, '').trim();
        if (/^[-+0-9]*$/.test(rest)) {
          blockIndent = indent;
          break;
        }
      }
      if (c === ':' && flow === 0 && (i + 1 === line.length || line[i + 1] === ' ' || line[i + 1] === '\t')) {
        tokenStart = true;
        continue;
      }
      if (c === '-' && tokenStart && flow === 0 && (i + 1 === line.length || line[i + 1] === ' ')) {
        continue;
      }
      tokenStart = c === '?' ? true : false;
    }
  }
  return changed ? lines.join('\n') : undefined;
}

function leadingSpaces(line: string): number {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 0x20) i++;
  return i;
}
