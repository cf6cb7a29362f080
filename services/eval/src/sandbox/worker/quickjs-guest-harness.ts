/** The file name guest stack traces mention; locations in it are mapped back to the submitted lines. */
export const GUEST_SOLUTION_FILE = 'solution.js';

/**
 * JavaScript evaluated inside each fresh QuickJS context before the submission. It builds the
 * guest's `console`, loads the submission, calls the entrypoint and turns what happened into one
 * tagged string the worker reads:
 *   R<wire JSON>  returned a value        E<text>  threw / could not load
 *   U<text>       return value not JSON    M<text>  ran out of memory     P  promise pending
 *   T<text>       a promise that can never settle (reported as a time-out)
 * Built-ins are captured up front so a submission that rewrites them only breaks its own run.
 */
export const QUICKJS_GUEST_HARNESS_SOURCE = String.raw`
(function createHarness(hostWrite, specialKey, maxReturnChars) {
  'use strict';
  const ReflectApply = Reflect.apply;
  const JSONstringify = JSON.stringify;
  const JSONparse = JSON.parse;
  const ObjectKeys = Object.keys;
  const ObjectHasOwn = Object.hasOwn;
  const ObjectIs = Object.is;
  const ArrayIsArray = Array.isArray;
  const NumberIsFinite = Number.isFinite;
  const NumberIsNaN = Number.isNaN;
  const StringCtor = String;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const InternalErrorCtor = typeof InternalError === 'function' ? InternalError : undefined;
  const PromiseCtor = Promise;
  const PromiseResolve = Promise.resolve;
  const PromiseThen = Promise.prototype.then;
  const StringSlice = String.prototype.slice;
  const StringSplit = String.prototype.split;
  const StringIncludes = String.prototype.includes;
  const ArrayJoin = Array.prototype.join;
  const ArrayPush = Array.prototype.push;
  const ArrayIncludes = Array.prototype.includes;
  const DateToISOString = Date.prototype.toISOString;
  const DateCtor = Date;
  const MapCtor = Map;
  const SetCtor = Set;

  function Unserializable(message) { this.message = message; }

  const undefinedWire = JSONstringify({ [specialKey]: 'undefined' });

  function safeString(value) {
    try { return StringCtor(value); } catch (e) { return '[unprintable]'; }
  }

  function inspect(value, depth, seen) {
    try {
      if (value === null) return 'null';
      switch (typeof value) {
        case 'string': return depth === 0 ? value : JSONstringify(value);
        case 'number': return ObjectIs(value, -0) ? '-0' : StringCtor(value);
        case 'bigint': return StringCtor(value) + 'n';
        case 'undefined': return 'undefined';
        case 'boolean': return value ? 'true' : 'false';
        case 'symbol': return safeString(value);
        case 'function': return '[Function: ' + (value.name ? safeString(value.name) : '(anonymous)') + ']';
      }
      if (ReflectApply(ArrayIncludes, seen, [value])) return '[Circular]';
      if (value instanceof ErrorCtor) return safeString(value.name) + ': ' + safeString(value.message);
      if (value instanceof DateCtor) return ReflectApply(DateToISOString, value, []);
      if (depth > 3) return ArrayIsArray(value) ? '[Array]' : '[Object]';
      const nestedSeen = seen.concat([value]);
      const parts = [];
      if (ArrayIsArray(value)) {
        const shown = value.length > 100 ? 100 : value.length;
        for (let i = 0; i < shown; i++) ReflectApply(ArrayPush, parts, [inspect(value[i], depth + 1, nestedSeen)]);
        if (value.length > shown) ReflectApply(ArrayPush, parts, ['... ' + (value.length - shown) + ' more items']);
        return '[ ' + ReflectApply(ArrayJoin, parts, [', ']) + ' ]';
      }
      if (value instanceof MapCtor) return 'Map(' + value.size + ') {...}';
      if (value instanceof SetCtor) return 'Set(' + value.size + ') {...}';
      const keys = ObjectKeys(value);
      const shown = keys.length > 100 ? 100 : keys.length;
      for (let i = 0; i < shown; i++) {
        const key = keys[i];
        ReflectApply(ArrayPush, parts, [key + ': ' + inspect(value[key], depth + 1, nestedSeen)]);
      }
      if (keys.length > shown) ReflectApply(ArrayPush, parts, ['... ' + (keys.length - shown) + ' more keys']);
      return parts.length === 0 ? '{}' : '{ ' + ReflectApply(ArrayJoin, parts, [', ']) + ' }';
    } catch (e) {
      return '[uninspectable]';
    }
  }

  let remainingChars = Infinity;
  function write(text) {
    if (remainingChars <= 0) return;
    if (text.length > remainingChars + 1) text = ReflectApply(StringSlice, text, [0, remainingChars + 1]);
    remainingChars = hostWrite(text);
  }
  function formatArguments(args) {
    let line = '';
    for (let i = 0; i < args.length; i++) line += (i === 0 ? '' : ' ') + inspect(args[i], 0, []);
    return line + '\n';
  }
  const guestConsole = {};
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'];
  for (let i = 0; i < methods.length; i++) {
    guestConsole[methods[i]] = function () { write(formatArguments(arguments)); };
  }
  globalThis.console = guestConsole;

  function isOutOfMemory(thrown) {
    return InternalErrorCtor !== undefined && thrown instanceof InternalErrorCtor && thrown.message === 'out of memory';
  }

  function describeThrown(thrown) {
    try {
      if (thrown instanceof ErrorCtor) {
        const name = safeString(thrown.name);
        const message = safeString(thrown.message);
        let text = message ? name + ': ' + message : name;
        if (InternalErrorCtor !== undefined && thrown instanceof InternalErrorCtor && message === 'stack overflow') {
          text += ' (the recursion is too deep)';
        }
        const stack = thrown.stack;
        if (typeof stack === 'string') {
          const lines = ReflectApply(StringSplit, stack, ['\n']);
          const frames = [];
          for (let i = 0; i < lines.length && frames.length < 6; i++) {
            if (ReflectApply(StringIncludes, lines[i], ['solution.js'])) ReflectApply(ArrayPush, frames, [lines[i]]);
          }
          if (frames.length > 0) text += '\n' + ReflectApply(ArrayJoin, frames, ['\n']);
        }
        return text;
      }
      return 'threw a non-Error value: ' + inspect(thrown, 1, []);
    } catch (e) {
      return 'threw a value that could not be described';
    }
  }

  function classifyThrown(thrown) {
    if (isOutOfMemory(thrown)) return 'Mout of memory';
    return 'E' + describeThrown(thrown);
  }

  function replacer(key, value) {
    if (typeof value === 'number' && !NumberIsFinite(value)) {
      return { [specialKey]: NumberIsNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity' };
    }
    if (typeof value === 'bigint') {
      throw new Unserializable('the return value contains a BigInt (' + StringCtor(value) + 'n), which has no JSON representation');
    }
    return value;
  }

  function encodeReturn(value) {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return 'R' + undefinedWire;
    try {
      const wire = JSONstringify(value, replacer);
      if (wire === undefined) return 'R' + undefinedWire;
      if (wire.length > maxReturnChars) {
        return 'Uthe return value is too large to report: ' + wire.length + ' characters of JSON (the limit is ' + maxReturnChars + ')';
      }
      return 'R' + wire;
    } catch (thrown) {
      if (thrown instanceof Unserializable) return 'U' + thrown.message;
      if (isOutOfMemory(thrown)) return 'Mout of memory while converting the return value to JSON';
      if (thrown instanceof TypeErrorCtor && ReflectApply(StringIncludes, safeString(thrown.message), ['circular'])) {
        return 'Uthe return value is cyclic (it contains a reference to itself), so it has no JSON representation';
      }
      if (InternalErrorCtor !== undefined && thrown instanceof InternalErrorCtor && thrown.message === 'stack overflow') {
        return 'Uthe return value is nested too deeply to convert to JSON';
      }
      return 'Econverting the return value to JSON failed: ' + describeThrown(thrown);
    }
  }

  function reviveSpecial(key, value) {
    if (value !== null && typeof value === 'object' && !ArrayIsArray(value)) {
      const keys = ObjectKeys(value);
      if (keys.length === 1 && keys[0] === specialKey) {
        const name = value[specialKey];
        if (name === 'NaN') return NaN;
        if (name === 'Infinity') return Infinity;
        if (name === '-Infinity') return -Infinity;
        if (name === 'undefined') return undefined;
      }
    }
    return value;
  }

  function describeKind(value) {
    if (value === null) return 'null';
    if (ArrayIsArray(value)) return 'an array';
    return 'a ' + typeof value;
  }

  function loadSolution(factory, entrypoint) {
    const module = { exports: {} };
    // What the name resolves to before the solution runs (toString, constructor, parseInt…): a
    // built-in is never the solution's function, so it is refused rather than called.
    const builtIns = [globalThis[entrypoint], module.exports[entrypoint]];
    const require = function (name) {
      throw new ErrorCtor("require('" + safeString(name) + "') is not available: the sandbox has no modules, file system, network or processes");
    };
    let topLevel;
    try {
      topLevel = ReflectApply(factory, undefined, [module, module.exports, require]);
    } catch (thrown) {
      return classifyThrown(thrown);
    }
    const exported = module.exports;
    const exportsObject = exported !== null && (typeof exported === 'object' || typeof exported === 'function');
    let candidate;
    if (exportsObject && ObjectHasOwn(exported, entrypoint) && typeof exported[entrypoint] === 'function') candidate = exported[entrypoint];
    else if (typeof topLevel === 'function') candidate = topLevel;
    else if (exportsObject && typeof exported.default === 'function') candidate = exported.default;
    else if (typeof exported === 'function') candidate = exported;
    if (candidate !== undefined && ReflectApply(ArrayIncludes, builtIns, [candidate])) {
      return 'E' + "entrypoint '" + entrypoint + "' names a JavaScript built-in: declare your own function with that name";
    }
    if (candidate !== undefined) return candidate;
    if (topLevel !== undefined) {
      return 'E' + "'" + entrypoint + "' is " + describeKind(topLevel) + ', not a function';
    }
    let message = "entrypoint '" + entrypoint + "' is not defined: declare a function with that name";
    const exportedNames = exportsObject ? ObjectKeys(exported) : [];
    if (exportedNames.length > 0) message += ' (the code exports: ' + ReflectApply(ArrayJoin, exportedNames, [', ']) + ')';
    return 'E' + message;
  }

  let pendingResult = 'P';
  function isThenable(value) {
    return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
  }

  function runTest(entry, argsWire) {
    pendingResult = 'P';
    const args = JSONparse(argsWire, reviveSpecial);
    let value;
    try {
      value = ReflectApply(entry, undefined, args);
      if (!isThenable(value)) return encodeReturn(value);
      ReflectApply(PromiseThen, ReflectApply(PromiseResolve, PromiseCtor, [value]), [
        function (settled) { pendingResult = encodeReturn(settled); },
        function (thrown) { pendingResult = classifyThrown(thrown); },
      ]);
      return 'P';
    } catch (thrown) {
      return classifyThrown(thrown);
    }
  }

  function settledResult() {
    // No timers or I/O exist in the sandbox, so once the job queue is empty nothing can settle it.
    return pendingResult === 'P' ? 'Tthe returned promise never settled (it would wait forever)' : pendingResult;
  }

  function describeLoadError(thrown) {
    return classifyThrown(thrown);
  }

  return { loadSolution: loadSolution, runTest: runTest, settledResult: settledResult, describeLoadError: describeLoadError };
})
`;

/** Wraps CommonJS output so the entrypoint is found whether it is exported or only declared. */
export function wrapSolutionSource(compiledSource: string, entrypoint: string): string {
  // The header shares line 1 with the code so guest line numbers match esbuild's output.
  return (
    '(function (module, exports, require) { return (function () {' +
    compiledSource +
    `\n;return typeof ${entrypoint} === 'undefined' ? undefined : ${entrypoint};\n}).call(module.exports); })`
  );
}
