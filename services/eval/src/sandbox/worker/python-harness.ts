import { WIRE_SPECIAL_KEY } from '../value-wire.js';

/**
 * Python defined once in the interpreter that is snapshotted, so every fresh interpreter starts
 * with it. `load_solution` and `run_test` return strings tagged like the JavaScript harness:
 *   L  loaded        R<wire JSON>  returned      E<text>  raised / could not load
 *   U<text>  return value not JSON      M<text>  MemoryError      I  KeyboardInterrupt
 * `lockdown_interpreter` runs in each fresh interpreter before guest code; its import blocks only
 * give clear error messages — the wasm import gate is what actually keeps Python off the host.
 */
export const PYTHON_HARNESS_SOURCE = String.raw`
import sys as _sys
import json as _json
import types as _types
import traceback as _traceback
import builtins as _builtins

# Warm the modules solutions commonly import, so their import cost is paid before the snapshot.
import collections, itertools, functools, heapq, bisect, re, math, string, dataclasses, typing
import fractions, decimal, statistics, datetime, random, operator, copy, enum

_SPECIAL = '${WIRE_SPECIAL_KEY}'
_dumps = _json.dumps
_loads = _json.loads
_INF = float('inf')


class _Unserializable(Exception):
    pass


class _Harness:
    entry = None


def _revive(obj):
    if len(obj) == 1 and _SPECIAL in obj:
        name = obj[_SPECIAL]
        if name == 'NaN':
            return float('nan')
        if name == 'Infinity':
            return _INF
        if name == '-Infinity':
            return -_INF
        if name == 'undefined':
            return None
    return obj


def _json_key(key):
    if isinstance(key, str):
        return key
    if key is True:
        return 'true'
    if key is False:
        return 'false'
    if key is None:
        return 'null'
    if isinstance(key, (int, float)):
        return _dumps(key)
    raise _Unserializable(
        'the return value has a dict key of type %s, which JSON cannot represent' % type(key).__name__)


def _to_plain(value, depth, path_ids):
    if value is None or value is True or value is False or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if value != value:
            return {_SPECIAL: 'NaN'}
        if value == _INF:
            return {_SPECIAL: 'Infinity'}
        if value == -_INF:
            return {_SPECIAL: '-Infinity'}
        return float(value)
    if depth >= 500:
        raise _Unserializable('the return value is nested too deeply (more than 500 levels) to convert to JSON')
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        marker = id(value)
        if marker in path_ids:
            raise _Unserializable('the return value is cyclic (it contains itself), so it has no JSON representation')
        path_ids.add(marker)
        try:
            if isinstance(value, dict):
                return {_json_key(k): _to_plain(v, depth + 1, path_ids) for k, v in value.items()}
            if isinstance(value, (set, frozenset)):
                try:
                    items = sorted(value)
                except TypeError:
                    items = list(value)
                return [_to_plain(v, depth + 1, path_ids) for v in items]
            return [_to_plain(v, depth + 1, path_ids) for v in value]
        finally:
            path_ids.discard(marker)
    raise _Unserializable(
        'the return value contains a %s, which has no JSON representation' % type(value).__name__)


def _encode(value, max_chars):
    try:
        if _sys.getrecursionlimit() < 1200:
            _sys.setrecursionlimit(1200)
        plain = _to_plain(value, 0, set())
        wire = _dumps(plain, ensure_ascii=True, allow_nan=False, separators=(',', ':'))
    except _Unserializable as exc:
        return 'U' + str(exc)
    except RecursionError:
        return 'Uthe return value is nested too deeply to convert to JSON'
    except ValueError as exc:
        return 'Uthe return value cannot be converted to JSON: ' + str(exc)
    if len(wire) > max_chars:
        return 'Uthe return value is too large to report: %d characters of JSON (the limit is %d)' % (len(wire), max_chars)
    return 'R' + wire


def _describe_exception(exc):
    try:
        name = type(exc).__name__
        if isinstance(exc, SyntaxError):
            text = '%s: %s' % (name, exc.msg)
            if exc.lineno:
                text += ' (line %s, column %s)' % (exc.lineno, exc.offset)
            if exc.text:
                text += '\n    ' + exc.text.strip('\n')
            return text
        if isinstance(exc, SystemExit):
            return 'SystemExit: the program called sys.exit(%r); return a value instead' % (exc.code,)
        try:
            detail = str(exc)
        except BaseException:
            detail = '<unprintable>'
        text = '%s: %s' % (name, detail) if detail else name
        if isinstance(exc, RecursionError):
            text += ' (the recursion is too deep)'
        frames = [f for f in _traceback.extract_tb(exc.__traceback__) if f.filename == '<solution>']
        if frames:
            text += '\n' + '\n'.join('  line %s, in %s' % (f.lineno, f.name) for f in frames[-6:])
        return text[:4000]
    except BaseException:
        return 'the program raised an exception that could not be described'


def _classify(exc):
    if isinstance(exc, KeyboardInterrupt):
        return 'I'
    if isinstance(exc, MemoryError):
        return 'Mout of memory (MemoryError)'
    return 'E' + _describe_exception(exc)


def _flush():
    for stream in (_sys.stdout, _sys.stderr, _sys.__stdout__, _sys.__stderr__):
        try:
            stream.flush()
        except BaseException:
            pass


def _drive(coroutine):
    # No event loop exists in the sandbox: a coroutine may only await things that finish at once.
    try:
        while True:
            if coroutine.send(None) is not None:
                coroutine.close()
                raise RuntimeError('the coroutine awaited something that cannot complete in the sandbox (there is no event loop)')
    except StopIteration as stop:
        return stop.value


def load_solution(code, entrypoint):
    _Harness.entry = None
    namespace = {'__name__': '__main__', '__builtins__': _builtins}
    try:
        exec(compile(code, '<solution>', 'exec'), namespace)
    except BaseException as exc:
        _flush()
        return _classify(exc)
    _flush()
    if entrypoint not in namespace:
        defined = sorted(
            key for key, value in namespace.items()
            if not key.startswith('__') and callable(value) and getattr(value, '__module__', None) == '__main__')
        message = "entrypoint '%s' is not defined: define a function with that name" % entrypoint
        if defined:
            message += ' (the code defines: %s)' % ', '.join(defined)
        return 'E' + message
    entry = namespace[entrypoint]
    if not callable(entry):
        return 'E' + "'%s' is a %s, not a function" % (entrypoint, type(entry).__name__)
    _Harness.entry = entry
    return 'L'


def run_test(args_wire, max_return_chars):
    try:
        args = _loads(args_wire, object_hook=_revive)
        result = _Harness.entry(*args)
        if isinstance(result, _types.CoroutineType):
            result = _drive(result)
        _flush()
        return _encode(result, max_return_chars)
    except BaseException as exc:
        _flush()
        return _classify(exc)


def lockdown_interpreter():
    import os
    import posix

    blocked_modules = {
        'js': 'the JavaScript host', 'pyodide_js': 'the JavaScript host', 'pyodide': 'the JavaScript host',
        '_pyodide': 'the JavaScript host', '_pyodide_core': 'the JavaScript host', 'micropip': 'package installation',
        'ctypes': 'native code', '_ctypes': 'native code', 'socket': 'the network', '_socket': 'the network',
        'ssl': 'the network', '_ssl': 'the network', 'subprocess': 'processes', '_posixsubprocess': 'processes',
        'multiprocessing': 'processes', '_multiprocessing': 'processes', 'webbrowser': 'a browser',
        'urllib.request': 'the network', 'http.client': 'the network', 'http.server': 'the network',
    }

    def blocked_reason(fullname):
        for name in (fullname, fullname.partition('.')[0]):
            if name in blocked_modules:
                return blocked_modules[name]
        return None

    class SandboxImportBlocker:
        @staticmethod
        def find_spec(fullname, path=None, target=None):
            reason = blocked_reason(fullname)
            if reason:
                raise ImportError(
                    "module '%s' is not available in the sandbox (no access to %s)" % (fullname, reason), name=fullname)
            return None

    _sys.meta_path.insert(0, SandboxImportBlocker())
    for name in list(_sys.modules):
        if blocked_reason(name):
            del _sys.modules[name]

    def refuse(name):
        def refused(*args, **kwargs):
            raise PermissionError('%s is not available in the sandbox (no processes)' % name)
        return refused

    for name in ('system', 'popen', 'fork', 'forkpty', 'execv', 'execve', 'execl', 'execle', 'execlp', 'execlpe',
                 'execvp', 'execvpe', 'spawnv', 'spawnve', 'spawnl', 'spawnle', 'spawnlp', 'spawnlpe', 'spawnvp',
                 'spawnvpe', 'posix_spawn', 'posix_spawnp', 'kill', 'killpg', '_exit'):
        for module in (os, posix):
            if hasattr(module, name):
                setattr(module, name, refuse('os.' + name))
`;
