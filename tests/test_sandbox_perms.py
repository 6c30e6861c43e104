"""The setuid-perms level: a root judge that can make no mount namespace (a Docker container
such as Gradescope's) hides the secrets by permissions, checked before every start.

The "no mount namespace" case is forced by replacing the probe; bwrap is replaced by one
that fails like it does in such a container. The workers need an interpreter the sandbox uids can reach: the judge's own if
it is, else a throw-away venv on the system Python of the same version that borrows this
numpy (skipped when there is none)."""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import textwrap

import numpy as np
import pytest

from coursekit.sandbox import SandboxStartError, StudentError, Worker
from coursekit.sandbox import isolation, perms
from test_sandbox_worker import SLOT

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the setuid levels need root")
STUDENT = '''
import numpy as np

def tanh_sum(x):
    return float(np.tanh(x).sum())

def read(path):
    with open(path) as f:
        return f.read()
'''
SECRET = "the hidden tests"
HIDDEN_OK = 0o700
REACHABLE_MODES = [0o755, 0o711, 0o744]     # listable, enterable, or both
BROKEN_BWRAP = "#!/bin/sh\necho 'bwrap: Creating new namespace failed: Operation not " \
               "permitted' >&2\nexit 1\n"
OTHER_UID = 64999                           # never a leased sandbox uid of these tests
ACL_XATTR = "system.posix_acl_access"
ACL_UNDEFINED_ID = 0xFFFFFFFF


def _usable_by_others(dirs):
    return all(perms.obstacle(d, OTHER_UID, OTHER_UID) is None for d in dirs)


@pytest.fixture(scope="module")
def worker_python():
    """An interpreter (with numpy) that the sandbox uids can run."""
    if _usable_by_others(isolation.python_dirs()):
        yield None
        return
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = next((p for p in (f"/usr/bin/{version}", f"/usr/local/bin/{version}")
                   if os.path.exists(p)), None)
    numpy_dir = os.path.dirname(os.path.dirname(os.path.realpath(np.__file__)))
    if system is None or not _usable_by_others([numpy_dir, os.path.dirname(system)]):
        pytest.skip("no interpreter with numpy that an unprivileged uid can run")
    venv = tempfile.mkdtemp(prefix="coursekit-perms-venv-")
    os.chmod(venv, 0o755)
    subprocess.run([system, "-m", "venv", "--without-pip", venv], check=True)
    site = os.path.join(venv, "lib", version, "site-packages")
    with open(os.path.join(site, "judge-numpy.pth"), "w") as f:
        f.write(numpy_dir + "\n")
    yield os.path.join(venv, "bin", "python")
    shutil.rmtree(venv, ignore_errors=True)


@pytest.fixture
def broken_bwrap(monkeypatch):
    """bwrap installed but failing (seccomp forbids user namespaces)."""
    folder = tempfile.mkdtemp(prefix="coursekit-perms-bwrap-")
    os.chmod(folder, 0o755)                     # run as the sandbox uid
    path = os.path.join(folder, "bwrap")
    with open(path, "w") as f:
        f.write(BROKEN_BWRAP)
    os.chmod(path, 0o755)
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: path)
    yield path
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def no_mount_namespace(monkeypatch, worker_python, broken_bwrap):
    """A Docker-like machine: no mount namespace, bwrap failing."""
    monkeypatch.setattr(isolation, "mount_namespace_available", lambda: False)
    return worker_python        # the workers' interpreter (Worker.start(python=...))


@pytest.fixture
def secret_dir():
    """A folder of root's with a world-readable secret file inside."""
    folder = tempfile.mkdtemp(prefix="coursekit-perms-secret-")
    os.chmod(folder, HIDDEN_OK)
    with open(os.path.join(folder, "tests.py"), "w") as f:
        f.write(SECRET)
    os.chmod(os.path.join(folder, "tests.py"), 0o644)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def make_code(tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "student.py").write_text(textwrap.dedent(STUDENT))
    return code


def test_without_a_mount_namespace_the_worker_runs_hidden_by_permissions(
        no_mount_namespace, secret_dir, tmp_path):
    with Worker.start(make_code(tmp_path), slot=SLOT, hide=[secret_dir],
                      python=no_mount_namespace) as w:
        assert w.isolation == "setuid-perms"
        x = np.linspace(-1, 1, 7)
        assert w.call("student:tanh_sum", x) == pytest.approx(float(np.tanh(x).sum()))
        assert w.call("os:getuid") != 0
        for path in (secret_dir, os.path.join(secret_dir, "tests.py")):
            with pytest.raises(StudentError) as info:
                w.call("student:read", path)
            assert info.value.type_name == "PermissionError"


@pytest.mark.parametrize("mode", REACHABLE_MODES, ids=lambda mode: f"{mode:04o}")
def test_a_reachable_hidden_folder_refuses_the_start(no_mount_namespace, secret_dir, tmp_path,
                                                     mode):
    os.chmod(secret_dir, mode)
    with pytest.raises(SandboxStartError) as info:
        Worker.start(make_code(tmp_path), slot=SLOT, hide=[secret_dir], python=no_mount_namespace)
    message = str(info.value)
    assert f"hidden path {secret_dir} is reachable" in message
    assert "make it mode 0700 owned by root" in message
    assert "bwrap: " in message and "setuid: no mount namespace" in message  # tried first


def test_a_folder_the_worker_needs_must_be_usable(no_mount_namespace, secret_dir, tmp_path,
                                                  monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", secret_dir)    # the staged code goes there
    with pytest.raises(SandboxStartError) as info:
        Worker.start(make_code(tmp_path), slot=SLOT, isolation="setuid-perms", hide=[],
                     python=no_mount_namespace)
    assert f"(blocked at {secret_dir})" in str(info.value)
    assert os.listdir(secret_dir) == ["tests.py"]     # the refused worker's stage is gone


def test_the_level_can_be_forced_where_mount_namespaces_work(worker_python, secret_dir,
                                                             tmp_path):
    with Worker.start(make_code(tmp_path), slot=SLOT, isolation="setuid-perms",
                      hide=[secret_dir], python=worker_python) as w:
        assert w.isolation == "setuid-perms"
        with pytest.raises(StudentError, match="PermissionError"):
            w.call("student:read", os.path.join(secret_dir, "tests.py"))


def test_a_failing_bwrap_falls_back_to_the_next_level(broken_bwrap, tmp_path):
    if not isolation.mount_namespace_available():
        pytest.skip("no mount namespace here (covered by the setuid-perms tests)")
    with Worker.start(make_code(tmp_path), slot=SLOT) as w:
        assert w.isolation == "setuid"
        assert w.call("student:tanh_sum", np.zeros(3)) == 0.0


def test_the_mount_namespace_probe_leaves_the_judge_untouched():
    before = (os.stat("/proc/self/ns/mnt").st_ino, open("/proc/self/mountinfo").read())
    isolation.mount_namespace_available.cache_clear()
    found = isolation.mount_namespace_available()
    assert isinstance(found, bool)
    assert isolation.mount_namespace_available() is found      # cached
    assert (os.stat("/proc/self/ns/mnt").st_ino, open("/proc/self/mountinfo").read()) == before


def _grant_by_acl(path, uid):
    """A POSIX ACL (raw xattr) letting ``uid`` list and enter ``path``; the group bits of
    the mode then show the ACL mask, the "others" bits stay 0."""
    entries = [(0x01, 7, ACL_UNDEFINED_ID), (0x02, 5, uid), (0x04, 0, ACL_UNDEFINED_ID),
               (0x10, 5, ACL_UNDEFINED_ID), (0x20, 0, ACL_UNDEFINED_ID)]
    value = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries)
    try:
        os.setxattr(path, ACL_XATTR, value)
    except OSError as exc:
        pytest.skip(f"no POSIX ACLs on this file system: {exc}")


def test_access_granted_by_an_acl_is_caught_by_the_check_as_the_uid(secret_dir):
    _grant_by_acl(secret_dir, OTHER_UID)
    assert perms.exposure(secret_dir, OTHER_UID, OTHER_UID) is None    # the bits look fine
    with pytest.raises(SandboxStartError, match="is reachable by the sandbox uid .ACL"):
        perms.check([secret_dir], [], OTHER_UID, OTHER_UID)
    perms.check([secret_dir], [], OTHER_UID + 1, OTHER_UID + 1)       # others: still hidden
