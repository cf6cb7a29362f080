/**
 * Deep equality with JSON semantics: arrays by position, objects by key set (keys whose value is
 * undefined count as absent, as JSON drops them), -0 equals 0, NaN equals only NaN, and a number
 * never equals a string or boolean.
 */
export function jsonValuesEqual(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') {
    return expected === actual || (Number.isNaN(expected) && Number.isNaN(actual));
  }
  if (expected === null || actual === null || typeof expected !== 'object' || typeof actual !== 'object') {
    return expected === actual;
  }
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual) || expected.length !== actual.length) return false;
    return expected.every((item, index) => jsonValuesEqual(item, actual[index]));
  }
  const expectedRecord = expected as Record<string, unknown>;
  const actualRecord = actual as Record<string, unknown>;
  const expectedKeys = definedKeys(expectedRecord);
  const actualKeys = definedKeys(actualRecord);
  if (expectedKeys.length !== actualKeys.length) return false;
  return expectedKeys.every((key) => Object.hasOwn(actualRecord, key) && jsonValuesEqual(expectedRecord[key], actualRecord[key]));
}

function definedKeys(record: Record<string, unknown>): string[] {
  return Object.keys(record).filter((key) => record[key] !== undefined);
}
