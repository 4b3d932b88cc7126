/** Text comparisons for the `harden` tests: what an edit kept of the original. */

/** Whether `after` is `before` with text inserted only: every original character kept, in order (nothing deleted or changed). */
export function onlyInsertions(before: string, after: string): boolean {
  let j = 0;
  for (let i = 0; i < before.length; i++) {
    j = after.indexOf(before[i], j);
    if (j < 0) return false;
    j++;
  }
  return true;
}

/** Whether every original line is still there, byte for byte, in order (block insertions only). */
export function linesKept(before: string, after: string): boolean {
  const b = after.split('\n');
  let j = 0;
  for (const line of before.split('\n')) {
    while (j < b.length && b[j] !== line) j++;
    if (j === b.length) return false;
    j++;
  }
  return true;
}
