/** Reading JSON configuration text with errors that point at the line and column. */

/** Invalid JSON in a configuration file, located by line and column. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly problem: string,
    readonly excerpt: string,
  ) {
    super(`${file}:${line}:${column}: not valid JSON: ${problem}\n${excerpt}`);
  }
}

/** The 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** Where V8 and JavaScriptCore say a JSON parse failed, as a character offset. */
function offsetOf(message: string, text: string): number {
  const pos = /position (\d+)/.exec(message);
  if (pos) return Number(pos[1]);
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) {
    const lines = text.split('\n');
    let offset = 0;
    for (let i = 0; i < Number(lc[1]) - 1 && i < lines.length; i++) offset += (lines[i] as string).length + 1;
    return offset + Number(lc[2]) - 1;
  }
  return text.length;
}

/**
 * Parses JSON text; on a syntax error throws a {@link JsonSyntaxError} naming `file:line:column`
 * with the offending line and a caret under the place.
 *
 * @example parseJsonText('{"a": 1,}', 'config.json') // throws "config.json:1:9: not valid JSON: …"
 */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const offset = Math.min(offsetOf(message, text), text.length);
    const { line, column } = lineAndColumn(text, offset);
    const source = text.split('\n')[line - 1] ?? '';
    const problem = message.replace(/\s*(?:in JSON )?at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)/, '');
    const excerpt = `  ${line} | ${source.replace(/\t/g, ' ')}\n  ${' '.repeat(String(line).length)} | ${' '.repeat(Math.max(0, column - 1))}^`;
    throw new JsonSyntaxError(file, line, column, problem, excerpt);
  }
}
