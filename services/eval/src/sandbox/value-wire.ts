/**
 * Values cross process and guest boundaries as JSON text. Plain JSON cannot carry NaN, ±Infinity
 * or a top-level `undefined`, which the equality rules need, so those travel as a one-key object
 * with a reserved key (no realistic return value is exactly such an object; a NUL-prefixed key
 * would be safer but QuickJS strings from the host end at NUL). The guest harnesses (JS and
 * Python) write the same markers.
 */
export const WIRE_SPECIAL_KEY = '__codeyard_special_value__';

type SpecialName = 'NaN' | 'Infinity' | '-Infinity' | 'undefined';

const specialValues: Record<SpecialName, unknown> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  undefined: undefined,
};

function specialNameOf(value: unknown): SpecialName | undefined {
  if (value === undefined) return 'undefined';
  if (typeof value !== 'number' || Number.isFinite(value)) return undefined;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

/** Throws a TypeError for values JSON cannot hold (cycles, BigInt). */
export function encodeWire(value: unknown): string {
  const topLevelSpecial = specialNameOf(value);
  if (topLevelSpecial) return JSON.stringify({ [WIRE_SPECIAL_KEY]: topLevelSpecial });
  return JSON.stringify(value, (_key, nested: unknown) => {
    const special = typeof nested === 'number' ? specialNameOf(nested) : undefined;
    return special ? { [WIRE_SPECIAL_KEY]: special } : nested;
  });
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === WIRE_SPECIAL_KEY) {
        const name = (value as Record<string, unknown>)[WIRE_SPECIAL_KEY];
        if (typeof name === 'string' && Object.hasOwn(specialValues, name)) {
          return specialValues[name as SpecialName];
        }
      }
    }
    return value;
  });
}

/**
 * `actual` in a result must survive JSON serialisation unchanged: non-finite numbers become the
 * strings "NaN", "Infinity" and "-Infinity" (JSON would silently turn them into null).
 */
export function toReportableValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (Array.isArray(value)) return value.map(toReportableValue);
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, nested] of Object.entries(value)) copy[key] = toReportableValue(nested);
    return copy;
  }
  return value;
}

/** Whether arrays and objects in `value` nest at most `limit` levels (checked without recursion). */
export function nestsAtMost(value: unknown, limit: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop() as { value: unknown; depth: number };
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return false;
    for (const nested of Object.values(current)) pending.push({ value: nested, depth: depth + 1 });
  }
  return true;
}

/** The same bound on JSON text, before it is parsed (parsing with a reviver recurses). */
export function jsonTextNestsAtMost(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c)
        index += 1; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      depth += 1;
      if (depth > limit) return false;
    } else if (char === 0x5d || char === 0x7d) depth -= 1;
  }
  return true;
}
