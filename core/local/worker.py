"""A local Globus Compute worker: runs task buffers the way an endpoint's ``execute_task`` does.

Standard library only (dill is used when importable, as upstream always does). Started by
core/local/workerProcess.ts, through a launcher that first checks the interpreter is Python 3.8+. The
host talks to it over two private pipes, never over stdout/stderr (those belong to user code):

- fd 3 (host -> worker) and fd 4 (worker -> host) carry frames: a 4-byte big-endian length, then
  that many bytes of UTF-8 JSON.
- worker -> host: ``ready`` once at start-up, then per task ``start`` and ``result``.
- host -> worker: ``task`` frames, run in the order they arrive (the host may send some ahead). EOF
  on fd 3 means the host is gone: the worker kills its process group (itself and anything user code
  spawned) so nothing outlives the host.

What a task prints goes to fds 1 and 2, which point at two capture files (once set up, and again
after any task that moved them), so ``print``, ``sys.stderr.write``, C extensions and ``os.system``
children are all captured. The files have names the host knows, so it can still read them when the
worker dies mid-task (e.g. the faulthandler dump of a segfault).
"""

import argparse
import base64
import binascii
import builtins
import faulthandler
import inspect
import json
import os
import pickle
import platform
import select
import signal
import sys
import threading
import time
import traceback

try:
    import dill
except ImportError:  # upstream requires dill; here it is optional and only 01 truly needs it
    dill = None

IDENTIFIER_LENGTH = 3
# How much of each captured stream is returned per task; the rest is counted, not sent.
CAPTURE_LIMIT = 1024 * 1024
IPC_IN_FD = 3
IPC_OUT_FD = 4


# --- Errors, named and printed as the SDK's own (tracebacks show the qualified class name) ---


class SerdeError(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason

    def __str__(self):
        return self.__repr__()

    def __repr__(self):
        return self.reason


class SerializationError(SerdeError):
    def __repr__(self):
        return "Serialization failed: " + self.reason


class DeserializationError(SerdeError):
    def __repr__(self):
        return "Deserialization failed: " + self.reason


class MaxResultSizeExceeded(Exception):
    def __init__(self, result_size, result_size_limit):
        super().__init__(result_size, result_size_limit)
        self.result_size = result_size
        self.result_size_limit = result_size_limit

    def __str__(self):
        return "Task result of {}B exceeded current limit of {}B".format(self.result_size, self.result_size_limit)


for _cls in (SerdeError, SerializationError, DeserializationError, MaxResultSizeExceeded):
    _cls.__module__ = "globus_compute_sdk.errors.error_types"

# Errors of the endpoint itself: reported by repr and under their own code, as upstream does.
INTERNAL_ERROR_CLASSES = (MaxResultSizeExceeded,)


# --- Serialization strategies (protocol.md 5.2) ---


def pack_buffers(buffers):
    return "".join("{}\n{}".format(len(b), b) for b in buffers)


def unpack_buffers(packed):
    out = []
    while packed:
        length, rest = packed.split("\n", 1)
        n = int(length)
        out.append(rest[:n])
        packed = rest[n:]
    return out


def _b64encode(raw):
    # base64.encodebytes, byte for byte (76-character lines, each ending in a newline), without its
    # Python loop over 57-byte pieces: one C call, then the lines cut from the result.
    text = binascii.b2a_base64(raw, newline=False).decode()
    return "".join([text[i : i + _B64_LINE] + "\n" for i in range(0, len(text), _B64_LINE)])


_B64_LINE = 76


def _b64decode(text):
    return base64.decodebytes(text.encode())


def _pickler():
    return dill if dill is not None else pickle


def _require_dill(strategy_name):
    if dill is None:
        raise DeserializationError(
            "{} needs the dill package, which {} cannot import".format(strategy_name, sys.executable)
        )
    return dill


# Compiled sources: the same function runs many times, and compiling is most of a small task's cost.
# Bounded: at most 256 sources of up to 64 KiB each are kept.
_compiled = {}
_COMPILED_LIMIT = 256
_COMPILED_SOURCE_MAX = 64 * 1024


def _compile(source):
    code = _compiled.get(source)
    if code is None:
        code = compile(source, "<string>", "exec")
        if len(source) <= _COMPILED_SOURCE_MAX:
            if len(_compiled) >= _COMPILED_LIMIT:
                _compiled.clear()
            _compiled[source] = code
    return code


def _exec_entry_point(name, source):
    code = _compile(source)
    # A fresh namespace per task, as upstream: the source may define helpers and imports.
    namespace = {}
    exec(code, namespace)
    return namespace[name]


def _exec_source_text(body):
    name, source = body.split(":", 1)
    return _exec_entry_point(name, source)


def _exec_pickled_source(body):
    name, source = _pickler().loads(_b64decode(body))
    return _exec_entry_point(name, source)


def _pickle_dumps(obj):
    # The interpreter's default protocol, as dill.dumps upstream: 4 up to Python 3.13, 5 on 3.14.
    if dill is None:
        return _b64encode(pickle.dumps(obj))
    protocol = dill.settings["protocol"]
    # dill pickles with the pure-Python pickler (a 1,250-item list takes milliseconds). For builtin
    # scalars in builtin containers it writes the very opcodes the C pickler writes, so those go
    # through the C pickler: the same bytes, hundreds of times faster.
    if _is_plain(obj, _PLAIN_DEPTH):
        return _b64encode(pickle.dumps(obj, protocol))
    return _b64encode(dill.dumps(obj, protocol))


# Exact types (no subclasses) both picklers write with their own opcodes, never by reduction.
_PLAIN_NUMBERS = frozenset((int, float, bool, type(None)))
_TEXTS = frozenset((str, bytes))
_PLAIN_CONTAINERS = frozenset((list, tuple, dict, set, frozenset))
_PLAIN_TYPES = _PLAIN_NUMBERS | _TEXTS | _PLAIN_CONTAINERS
# Where the two picklers differ, dill's path is taken: a str or bytes near the 64 KiB frame size is
# framed differently (str counted at 4 UTF-8 bytes a character); some lengths of 1,000 items or more are
# batched differently (a list's last batch of 1, a dict's of 0 or 1, a set's of 0; tuples and frozensets
# never); and deeper nesting (or a cycle) is not checked.
_PLAIN_TEXT_BYTES = 32 * 1024
_BATCH = 1000
_UNEVEN_LAST_BATCH = {list: (1,), dict: (0, 1), set: (0,), tuple: (), frozenset: ()}
_PLAIN_DEPTH = 16


def _is_plain(obj, depth):
    kind = type(obj)
    if kind in _PLAIN_NUMBERS:
        return True
    if kind in _TEXTS:
        return _short_text(obj)
    if kind not in _PLAIN_CONTAINERS or depth == 0:
        return False
    if len(obj) >= _BATCH and len(obj) % _BATCH in _UNEVEN_LAST_BATCH[kind]:
        return False
    if kind is dict:
        return _are_plain(obj.keys(), depth) and _are_plain(obj.values(), depth)
    return _are_plain(obj, depth)


def _short_text(text):
    return len(text) * (4 if type(text) is str else 1) <= _PLAIN_TEXT_BYTES


def _are_plain(items, depth):
    kinds = set(map(type, items))  # one pass at C speed; most results are flat
    if kinds <= _PLAIN_NUMBERS:
        return True
    if not kinds <= _PLAIN_TYPES:
        return False
    if not kinds.isdisjoint(_TEXTS) and not all(_short_text(item) for item in items if type(item) in _TEXTS):
        return False
    return all(_is_plain(item, depth - 1) for item in items if type(item) in _PLAIN_CONTAINERS)


def _source_of(fn):
    return fn.__name__, inspect.getsource(fn)


class Strategy:
    def __init__(self, name, identifier, for_code, serialize, deserialize):
        self.name = name
        self.identifier = identifier
        self.for_code = for_code
        self._serialize = serialize
        self._deserialize = deserialize

    def serialize(self, obj):
        return self.identifier + self._serialize(obj)

    def deserialize(self, payload):
        header, body = payload.split("\n", 1)
        if header + "\n" != self.identifier:
            raise DeserializationError("Buffer does not start with identifier:" + self.identifier)
        return self._deserialize(body)


def _combo(name, identifier, for_code, members):
    """AllDataStrategies / AllCodeStrategies: every member that works, packed; first that loads wins."""

    def serialize_all(obj):
        parts = []
        for m in members:
            try:
                parts.append(m.serialize(obj))
            except Exception:
                pass
        if not parts:
            raise SerializationError("{}: every strategy failed".format(name))
        return pack_buffers(parts)

    def deserialize_first(body):
        for part in unpack_buffers(body):
            try:
                return deserialize(part)
            except Exception:
                pass
        raise DeserializationError("{}: no buffer could be deserialized".format(name))

    return Strategy(name, identifier, for_code, serialize_all, deserialize_first)


JSON_DATA = Strategy("JSONData", "11\n", False, json.dumps, json.loads)
DILL_DATA = Strategy("DillDataBase64", "00\n", False, _pickle_dumps, lambda b: _pickler().loads(_b64decode(b)))
DILL_CODE = Strategy(
    "DillCode",
    "01\n",
    True,
    lambda fn: _b64encode(_require_dill("DillCode").dumps(fn)),
    lambda b: _require_dill("DillCode").loads(_b64decode(b)),
)


# Source strategies: "name:source" as text (st, sd) or as a pickled (name, source) tuple (03, 04).
def _source_text(fn):
    return "{}:{}".format(*_source_of(fn))


def _pickled_source(fn):
    return _pickle_dumps(_source_of(fn))


SOURCE_TEXT = Strategy("PureSourceTextInspect", "st\n", True, _source_text, _exec_source_text)
SOURCE_DILL = Strategy("PureSourceDill", "sd\n", True, _source_text, _exec_source_text)
STRATEGIES = [
    JSON_DATA,
    DILL_DATA,
    _combo("AllDataStrategies", "13\n", False, [JSON_DATA, DILL_DATA]),
    DILL_CODE,
    SOURCE_TEXT,
    SOURCE_DILL,
    Strategy("DillCodeTextInspect", "03\n", True, _pickled_source, _exec_pickled_source),
    Strategy("DillCodeSource", "04\n", True, _pickled_source, _exec_pickled_source),
    _combo("AllCodeStrategies", "12\n", True, [SOURCE_TEXT, SOURCE_DILL, DILL_CODE]),
]
BY_IDENTIFIER = {s.identifier: s for s in STRATEGIES}
BY_NAME = {s.name: s for s in STRATEGIES}
# Upstream's serialize_from_list default: data by dill, callables by dill code.
DEFAULT_RESULT_STRATEGIES = [
    "globus_compute_sdk.serialize.concretes.DillDataBase64",
    "globus_compute_sdk.serialize.concretes.DillCode",
]


def deserialize(payload):
    strategy = BY_IDENTIFIER.get(payload[:IDENTIFIER_LENGTH])
    if strategy is None:
        raise DeserializationError("Invalid header: {} in data payload".format(payload[:IDENTIFIER_LENGTH]))
    return strategy.deserialize(payload)


def unpack_and_deserialize(task_buffer):
    values = [deserialize(b) for b in unpack_buffers(task_buffer)]
    assert len(values) == 3, "Unpack expects 3 buffers, got {}".format(len(values))
    return values


def _strategy_for(path, for_code):
    """Resolves an import path as upstream's validate_strategylike does, for the SDK's own classes."""
    module, _, name = path.rpartition(".")
    strategy = BY_NAME.get(name) if module in ("globus_compute_sdk.serialize", "globus_compute_sdk.serialize.concretes") else None
    if strategy is None:
        raise SerdeError(
            "Invalid strategy-like '{}'. Expected either a SerializationStrategy instance, a subclass of"
            " SerializationStrategy, or an import path to one.".format(path)
        )
    if strategy.for_code != for_code:
        kinds = ("code", "data") if for_code else ("data", "code")
        raise SerdeError("{} is a {} serialization strategy, expected a {} strategy.".format(name, kinds[1], kinds[0]))
    return strategy


def serialize_from_list(value, paths):
    errors = []
    for path in paths or DEFAULT_RESULT_STRATEGIES:
        try:
            return _strategy_for(path, callable(value)).serialize(value)
        except Exception as e:
            errors.append(e)
    group = getattr(builtins, "ExceptionGroup", None)  # Python 3.11+
    cause = group("Strategy failures:", errors) if group is not None else errors[-1]
    raise SerializationError("All strategies failed.") from cause


# --- Running one task ---


def _inner_traceback(tb, levels):
    while levels > 0:
        tb = tb.tb_next if tb.tb_next is not None else tb
        levels -= 1
    return tb


def _error_string_and_details(exc):
    if isinstance(exc, INTERNAL_ERROR_CLASSES):
        return repr(exc), {"code": type(exc).__name__, "user_message": "remote error: {}".format(exc)}
    # Two levels, as the upstream endpoint (get_error_string(tb_levels=2)): the text is byte-identical to what a
    # real endpoint sends (test/fixtures/vectors remote_exception/*), which also drops the user's outermost frame.
    text = "".join(traceback.format_exception(type(exc), exc, _inner_traceback(exc.__traceback__, 2)))
    return text, {"code": "RemoteExecutionError", "user_message": "An error occurred during the execution of this task"}


def execute_task(task_id, task_buffer, result_serializers, result_size_limit):
    """Runs one task: (data, error_details, execution-start ns, execution-end ns)."""
    exec_start = time.time_ns()
    os.environ["GC_TASK_UUID"] = task_id
    error_details = None
    try:
        fn, args, kwargs = unpack_and_deserialize(task_buffer)
        result = fn(*args, **kwargs)
        data = serialize_from_list(result, result_serializers)
        if len(data) > result_size_limit:
            raise MaxResultSizeExceeded(len(data), result_size_limit)
    except BaseException as exc:  # also SystemExit from user code: it fails the task, not the worker
        data, error_details = _error_string_and_details(exc)
    return data, error_details, exec_start, time.time_ns()


class OutputCapture:
    """Keeps fds 1 and 2 on two per-worker files; per task, reads back and clears what was written.

    The files are opened O_APPEND, so truncating them also rewinds every writer (children included)
    and fds 1/2 need not be moved per task; only when user code replaced them are they put back.
    """

    def __init__(self, stdout_path, stderr_path):
        # Created here, never taken over: a file or link someone else put in its place is refused.
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_APPEND | os.O_CLOEXEC
        # What a task prints is the user's alone (the directory is 0700 too).
        self.fds = [os.open(path, flags, 0o600) for path in (stdout_path, stderr_path)]
        self.identities = []
        for target, fd in zip((1, 2), self.fds):
            os.dup2(fd, target)
            st = os.fstat(fd)
            self.identities.append((st.st_dev, st.st_ino))
        # Whether a file holds a previous task's output (most tasks print nothing: skip the syscall).
        self.used = [False, False]

    def begin(self):
        for i in (0, 1):
            if self.used[i]:
                os.ftruncate(self.fds[i], 0)
                self.used[i] = False

    def end(self):
        """[stdout, stderr] of the task; the streams and fds 0/1/2 are reset for the next one."""
        for stream in {sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__}:  # each one once
            try:
                stream.flush()
            except Exception:
                pass
        output = [self._collect(0, 1), self._collect(1, 2)]
        _keep_stdin_empty()
        # User code may have swapped the streams, or closed them (sys.stdout.close() closes sys.__stdout__,
        # the same object): the next task starts with working ones.
        sys.__stdin__ = _open_stream(sys.__stdin__, 0, "r")
        sys.__stdout__ = _open_stream(sys.__stdout__, 1, "w")
        sys.__stderr__ = _open_stream(sys.__stderr__, 2, "w")
        sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__
        return output

    def _collect(self, i, target):
        fd = self.fds[i]
        try:
            st = os.fstat(target)
            ours = (st.st_dev, st.st_ino) == self.identities[i]
        except OSError:  # user code closed it
            ours = False
        if not ours:  # user code pointed the fd elsewhere: what reached our file is still the task's
            os.dup2(fd, target)
            st = os.fstat(fd)
        size = st.st_size
        if size == 0:
            return ""
        self.used[i] = True
        text = os.pread(fd, CAPTURE_LIMIT, 0).decode("utf-8", "replace")
        if size > CAPTURE_LIMIT:
            text += "\n[... {} more bytes of output not kept]\n".format(size - CAPTURE_LIMIT)
        return text


def _open_stream(stream, fd, mode):
    """`stream` while it is open, else a new one on its fd, as the interpreter set it up (UTF-8 by
    PYTHONIOENCODING, line-buffered as the worker makes stdout; stderr replaces what UTF-8 cannot encode)."""
    if stream is not None and not stream.closed:
        return stream
    errors = "backslashreplace" if fd == 2 else "strict"
    return open(fd, mode, buffering=1, encoding="utf-8", errors=errors, closefd=False)


def _keep_stdin_empty():
    """fd 0 stays the empty input the host gave (input() fails at once, never waits); if user code closed
    it, it is reopened on the null device, so no file opened later takes its number."""
    try:
        os.fstat(0)
    except OSError:
        null = os.open(os.devnull, os.O_RDONLY)
        if null != 0:
            os.dup2(null, 0)
            os.close(null)


# --- IPC ---


_serving_pid = None


def _only_the_server():
    """Called before every use of the channel. A process forked by user code shares it; one that returned
    from the task function instead of calling os._exit would otherwise read the next tasks and answer for
    them (two readers: tasks the host waits for forever). It never touches the channel: it ends at once."""
    if os.getpid() != _serving_pid:
        os._exit(0)


def _drop_channel_in_child():
    """After os.fork in user code: the child does not keep the host's pipes open (a dead worker's pipe then
    ends when the worker does, not when its forked children do)."""
    for fd in (IPC_IN_FD, IPC_OUT_FD):
        try:
            os.close(fd)
        except OSError:
            pass


class HostGone:
    """What to do once the host closed fd 3: it could not clean up, so remove the capture files, and
    end the process group (this worker and anything user code spawned) so nothing outlives the host."""

    def __init__(self, capture_paths):
        self.capture_paths = capture_paths

    def __call__(self):
        _only_the_server()  # a forked child must not remove the worker's files nor end its group
        for path in self.capture_paths:
            _remove_quietly(os.remove, path)
        _remove_quietly(os.rmdir, os.path.dirname(self.capture_paths[0]))
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpid(), signal.SIGKILL)
        os._exit(0)


def _remove_quietly(remove, path):
    try:
        remove(path)
    except OSError:
        pass


def watch_for_hangup(fd, host_gone):
    """Watchdog thread: the main thread reads fd 3 only between tasks, so this one notices EOF during a
    task. Polling for no event at all wakes it only on hang-up, never per frame."""
    poller = select.poll()
    poller.register(fd, 0)
    poller.poll()
    host_gone()


class Inbox:
    """Frames from the host, read in the main thread; one read takes all the frames the host sent together."""

    def __init__(self, fd, host_gone):
        self.fd = fd
        self.host_gone = host_gone
        self.buffer = bytearray()
        self.poller = select.poll()
        self.poller.register(fd, select.POLLIN)

    def _frame_end(self):
        """Where the first frame in the buffer ends, or 0 if it is not all here yet."""
        buffer = self.buffer
        if len(buffer) < 4:
            return 0
        end = 4 + int.from_bytes(buffer[:4], "big")
        return end if end <= len(buffer) else 0

    def _fill(self):
        _only_the_server()
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            self.host_gone()
        self.buffer += chunk

    def has_frame(self):
        """Whether a whole frame is here already, without waiting for one."""
        if self._frame_end():
            return True
        _only_the_server()
        if not self.poller.poll(0):
            return False
        self._fill()
        return self._frame_end() != 0

    def get(self):
        end = self._frame_end()
        while not end:
            self._fill()
            end = self._frame_end()
        body = self.buffer[4:end]
        del self.buffer[:end]
        # The host's frames are compact JSON: raw_decode skips json.loads' whitespace scans.
        return _decode_json(body.decode("utf-8"))[0]


class Outbox:
    def __init__(self, fd):
        self.fd = fd
        self.held = b""

    def send(self, text, hold=False):
        """Writes a frame of JSON text; with `hold`, keeps it to go out with the next one (one write, one
        wake-up of the host)."""
        _only_the_server()
        body = text.encode("utf-8", "surrogatepass")
        frame = self.held + len(body).to_bytes(4, "big") + body
        if hold:
            self.held = frame
            return
        self.held = b""
        written = os.write(self.fd, frame)
        while written < len(frame):  # a signal can cut a large write short
            frame = frame[written:]
            written = os.write(self.fd, frame)


_decode_json = json.JSONDecoder().raw_decode
# Frames are mostly fixed text around a few values: formatted directly rather than built as dicts.
_to_json = json.JSONEncoder(ensure_ascii=False).encode
_START_FRAME = '{{"type": "start", "task_id": {}, "timestamp": "{}"}}'.format
_RESULT_FRAME = (
    '{{"task_id": {}, "data": {}, "error_details": {}, "task_statuses": ['
    '{{"timestamp": "{}", "state": "execution-start", "actor": "worker"}}, '
    '{{"timestamp": "{}", "state": "execution-end", "actor": "worker"}}], '
    '"stdout": {}, "stderr": {}, "type": "result"}}'
).format


def serve(inbox, outbox, capture, run_dir, result_size_limit):
    time_ns, getcwd, chdir, to_json_string = time.time_ns, os.getcwd, os.chdir, json.encoder.encode_basestring
    while True:
        task = inbox.get()
        task_id = task["task_id"]
        task_id_json = to_json_string(task_id)  # a str, as GC_TASK_UUID needs anyway
        outbox.send(_START_FRAME(task_id_json, time_ns()))
        # As upstream, every task starts in the run directory (getcwd is cheaper than chdir).
        try:
            moved = getcwd() != run_dir
        except OSError:  # user code removed the directory it moved to
            moved = True
        if moved:
            chdir(run_dir)
        capture.begin()
        data, error_details, exec_start, exec_end = execute_task(
            task_id, task["task_buffer"], task.get("result_serializers"), result_size_limit
        )
        if os.getpid() != _serving_pid:
            # A child the task forked returned from the function: it says so in the task's captured
            # stderr (while the task runs) and ends, without the atexit handlers or buffers of its parent.
            os.write(2, "a process forked by this task ({}) returned from the function instead of calling"
                     " os._exit; it was ended\n".format(os.getpid()).encode())
            os._exit(0)
        stdout, stderr = capture.end()
        result = _RESULT_FRAME(
            task_id_json,
            # Pickled data is base64 lines only: one replace quotes it (encode_basestring checks each character).
            '"' + data.replace("\n", "\\n") + '"' if error_details is None and data.startswith("00\n") else to_json_string(data),
            "null" if error_details is None else _to_json(error_details),
            exec_start,
            exec_end,
            to_json_string(stdout) if stdout else '""',
            to_json_string(stderr) if stderr else '""',
        )
        # When the next task is already here, its start frame follows at once: send both together.
        outbox.send(result, hold=inbox.has_frame())


def main():
    global _serving_pid
    parser = argparse.ArgumentParser(description="Globus Compute local endpoint worker")
    parser.add_argument("--capture-prefix", required=True)
    parser.add_argument("--endpoint-id", default=None)
    # Reported in `details` as a real endpoint does; the SDK compares it with its own.
    parser.add_argument("--sdk-version", required=True)
    parser.add_argument("--result-size-limit", type=int, default=10 * 1024 * 1024)
    options = parser.parse_args()

    for fd in (IPC_IN_FD, IPC_OUT_FD):
        os.set_inheritable(fd, False)  # children of user code must not hold the host's pipes
    _serving_pid = os.getpid()
    os.register_at_fork(after_in_child=_drop_channel_in_child)
    capture_paths = [options.capture_prefix + ".stdout", options.capture_prefix + ".stderr"]
    host_gone = HostGone(capture_paths)
    watchdog = threading.Thread(target=watch_for_hangup, args=(IPC_IN_FD, host_gone))
    watchdog.daemon = True
    watchdog.start()
    outbox = Outbox(IPC_OUT_FD)
    ready = {
        "type": "ready",
        "pid": os.getpid(),
        "executable": sys.executable,
        "details": {
            "os": platform.platform(),
            "dill_version": dill.__version__ if dill is not None else None,
            "python_version": platform.python_version(),
            "globus_compute_sdk_version": options.sdk_version,
            "endpoint_id": options.endpoint_id,
        },
    }
    capture = OutputCapture(*capture_paths)
    faulthandler.enable(all_threads=False)  # a crash dump lands in the task's captured stderr
    sys.stdout.reconfigure(line_buffering=True)
    outbox.send(_to_json(ready))
    serve(Inbox(IPC_IN_FD, host_gone), outbox, capture, os.getcwd(), options.result_size_limit)


if __name__ == "__main__":
    main()
