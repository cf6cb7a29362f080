import { type Message, transform } from 'esbuild';

export type CompileOutcome = { ok: true; code: string; originalLineOf: readonly number[] } | { ok: false; message: string };

/**
 * Runs in the service process, never in a worker: esbuild is a parser (it executes nothing) and
 * needs a child process, which workers are not allowed to start. ES module syntax becomes
 * CommonJS so `export function` and `module.exports` solutions load the same way.
 */
export async function compileJavaScript(language: 'javascript' | 'typescript', source: string): Promise<CompileOutcome> {
  try {
    const output = await transform(source, {
      loader: language === 'typescript' ? 'ts' : 'js',
      format: 'cjs',
      target: 'es2022',
      sourcefile: language === 'typescript' ? 'solution.ts' : 'solution.js',
      sourcemap: 'external',
      logLevel: 'silent',
    });
    return { ok: true, code: output.code, originalLineOf: generatedToOriginalLines(output.map) };
  } catch (error) {
    const messages = (error as { errors?: Message[] }).errors;
    if (!Array.isArray(messages) || messages.length === 0) throw error;
    return { ok: false, message: describeSyntaxErrors(messages) };
  }
}

function describeSyntaxErrors(messages: Message[]): string {
  const [first] = messages;
  if (!first) return 'SyntaxError';
  const location = first.location;
  let text = `SyntaxError: ${first.text}`;
  if (location) {
    text += ` (line ${location.line}, column ${location.column + 1})\n    ${location.lineText}`;
  }
  if (messages.length > 1) text += `\n(and ${messages.length - 1} more error${messages.length > 2 ? 's' : ''})`;
  return text;
}

/** Rewrites `solution.js:N` locations in a guest message to the line numbers the user wrote. */
export function mapGuestLocations(message: string, originalLineOf: readonly number[]): string {
  return message.replace(/solution\.js:(\d+)(?::\d+)?/g, (whole, generated: string) => {
    const original = originalLineOf[Number(generated) - 1];
    return original ? `line ${original}` : whole;
  });
}

const base64Digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** For each generated line (0-based index), the 1-based original line of its first mapping, or 0. */
function generatedToOriginalLines(sourceMapJson: string): number[] {
  const { mappings } = JSON.parse(sourceMapJson) as { mappings: string };
  const result: number[] = [];
  let originalLine = 0;
  for (const line of mappings.split(';')) {
    let firstOriginalLine = 0;
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      const fields = decodeVlqSegment(segment);
      const lineDelta = fields[2];
      if (lineDelta === undefined) continue;
      originalLine += lineDelta;
      if (firstOriginalLine === 0) firstOriginalLine = originalLine + 1;
    }
    result.push(firstOriginalLine);
  }
  return result;
}

function decodeVlqSegment(segment: string): number[] {
  const fields: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = base64Digits.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return fields;
}
