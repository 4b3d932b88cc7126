/**
 * Line arithmetic over manifest text (line breaks counted, offsets to 1-based lines), and the
 * one-sentence form of a thrown value. Shared by the parser, the stream reader and the commands.
 */

/** Number of `\n` in [from, to). */
export function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  let i = text.indexOf('\n', from);
  while (i !== -1 && i < to) {
    count++;
    i = text.indexOf('\n', i + 1);
  }
  return count;
}

/** 1-based line of `offset`. */
export function lineAt(text: string, offset: number): number {
  return 1 + countNewlines(text, 0, offset);
}

/** The message of a thrown value (an `Error`'s message, anything else as a string). */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
