"""The safe-output rules: nothing but the intended regular file is ever replaced, and well."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from xl_kpi import safe_output
from xl_kpi.safe_output import UnsafeOutput, atomic_output

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_root = pytest.mark.skipif(not IS_ROOT, reason="creating files of another owner needs root")


def _write(path, data: bytes) -> None:
    with atomic_output(path, inputs=()) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)


def _litter(folder) -> list[str]:
    return [n for n in os.listdir(folder) if n.startswith(safe_output.TEMP_PREFIX)]


def test_a_new_file_gets_0666_less_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        _write(tmp_path / "new.bin", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.bin").st_mode) == 0o640


def test_a_replaced_file_keeps_its_mode(tmp_path):
    out = tmp_path / "out.bin"
    out.write_bytes(b"old")
    os.chmod(out, 0o751)
    _write(out, b"new")
    assert out.read_bytes() == b"new"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o751


def test_the_input_reached_through_a_symlinked_folder_is_refused(tmp_path):
    (tmp_path / "real").mkdir()
    src = tmp_path / "real" / "book.xlsx"
    src.write_bytes(b"input")
    os.symlink(tmp_path / "real", tmp_path / "alias")
    with pytest.raises(UnsafeOutput, match="is the input"):
        with atomic_output(tmp_path / "alias" / "book.xlsx", inputs=[src]):
            pytest.fail("the body must not run")
    assert src.read_bytes() == b"input"
    assert not _litter(tmp_path / "real")


def test_a_hard_link_of_the_input_is_refused(tmp_path):
    src = tmp_path / "book.xlsx"
    src.write_bytes(b"input")
    os.link(src, tmp_path / "other-name.xlsx")
    with pytest.raises(UnsafeOutput, match="is the input"):
        with atomic_output(tmp_path / "other-name.xlsx", inputs=[src]):
            pass


@pytest.mark.parametrize("make", ["fifo", "folder", "dev_full", "link_to_dev_null"])
def test_only_a_regular_file_is_replaced(tmp_path, make):
    target = tmp_path / "out"
    if make == "fifo":
        os.mkfifo(target)
    elif make == "folder":
        target.mkdir()
    elif make == "dev_full":
        if not os.path.exists("/dev/full"):
            pytest.skip("no /dev/full")
        target = "/dev/full"
    else:
        os.symlink(os.devnull, target)
    with pytest.raises(UnsafeOutput, match="FIFO|folder|device"):
        with atomic_output(target):
            pytest.fail("the body must not run")
    if make in ("dev_full", "link_to_dev_null"):
        assert stat.S_ISCHR(os.stat(target).st_mode)
    assert not _litter(tmp_path)


def test_a_read_only_file_is_refused(tmp_path):
    out = tmp_path / "out.bin"
    out.write_bytes(b"keep")
    os.chmod(out, 0o444)
    with pytest.raises(UnsafeOutput, match="read-only"):
        _write(out, b"new")
    assert out.read_bytes() == b"keep"


def test_a_symlink_is_written_through_to_its_target(tmp_path):
    target = tmp_path / "real.xlsx"
    target.write_bytes(b"old")
    link = tmp_path / "link.xlsx"
    os.symlink(target, link)
    _write(link, b"new")
    assert os.path.islink(link)
    assert target.read_bytes() == b"new"


def test_a_dangling_symlink_is_refused(tmp_path):
    link = tmp_path / "link.xlsx"
    os.symlink(tmp_path / "nowhere" / "planted.xlsx", link)
    with pytest.raises(UnsafeOutput, match="missing file"):
        _write(link, b"new")
    assert not os.path.exists(tmp_path / "nowhere")


def test_hard_links_are_kept(tmp_path):
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    a.write_bytes(b"old content, longer than the new one")
    os.link(a, b)
    ino = os.stat(a).st_ino
    _write(a, b"new")
    assert b.read_bytes() == b"new"
    assert os.stat(a).st_ino == ino and os.stat(a).st_nlink == 2
    assert not _litter(tmp_path)


@needs_root
def test_the_owner_of_a_replaced_file_is_kept(tmp_path):
    out = tmp_path / "out.bin"
    out.write_bytes(b"old")
    os.chown(out, 12345, 23456)
    _write(out, b"new")
    st = os.stat(out)
    assert (st.st_uid, st.st_gid) == (12345, 23456)
    assert out.read_bytes() == b"new"


@needs_root
def test_a_file_of_another_user_keeps_its_owner_when_we_cannot_chown():
    folder = Path(tempfile.mkdtemp(prefix="xl-kpi-shared-"))  # pytest's own folders are private
    os.chmod(folder, 0o777)
    out = folder / "out.bin"
    out.write_bytes(b"old")
    os.chown(out, 12345, 12345)
    os.chmod(out, 0o666)
    code = f"""
        import os
        from xl_kpi.safe_output import atomic_output
        os.setgid(65534); os.setuid(65534)
        with atomic_output({str(out)!r}) as tmp:
            open(tmp, "wb").write(b"new")
    """
    subprocess.run([sys.executable, "-c", textwrap.dedent(code)], check=True, timeout=60)
    st = os.stat(out)
    try:
        assert (st.st_uid, out.read_bytes()) == (12345, b"new")
        assert not _litter(folder)
    finally:
        shutil.rmtree(folder)


def test_an_exception_removes_the_temporary_file_and_keeps_the_old_one(tmp_path):
    out = tmp_path / "out.bin"
    out.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_output(out) as tmp:
            with open(tmp, "wb") as fh:
                fh.write(b"half")
            raise RuntimeError("disk on fire")
    assert out.read_bytes() == b"old"
    assert not _litter(tmp_path)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_removes_the_temporary_file_and_ends_the_process(tmp_path, signum):
    out = tmp_path / "out.bin"
    out.write_bytes(b"old")
    code = f"""
        import sys, time
        from xl_kpi.safe_output import atomic_output
        with atomic_output({str(out)!r}) as tmp:
            open(tmp, "wb").write(b"half")
            print("writing", flush=True)
            time.sleep(30)
    """
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout.readline().strip() == b"writing"
        assert _litter(tmp_path)
        proc.send_signal(signum)
        rc = proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    assert rc == -signum
    assert out.read_bytes() == b"old"
    assert not _litter(tmp_path)


def test_the_file_and_its_folder_are_fsynced_around_the_rename(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        calls.append(("fsync", os.path.isdir(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else None))
        real_fsync(fd)

    def replace(a, b):
        calls.append(("replace", None))
        real_replace(a, b)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    _write(tmp_path / "out.bin", b"data")
    names = [c[0] for c in calls]
    assert names == ["fsync", "replace", "fsync"]
    if calls[0][1] is not None:
        assert calls[0][1] is False and calls[2][1] is True  # the file first, the folder after


def test_a_slow_writer_sees_the_output_unchanged_until_the_end(tmp_path):
    out = tmp_path / "out.bin"
    out.write_bytes(b"old")
    with atomic_output(out) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(b"new")
        time.sleep(0.01)
        assert out.read_bytes() == b"old"
    assert out.read_bytes() == b"new"


def test_an_ignored_signal_stays_ignored_while_writing(tmp_path):
    out = tmp_path / "out.bin"
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with atomic_output(out) as tmp:
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            with open(tmp, "wb") as fh:
                fh.write(b"new")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert out.read_bytes() == b"new"
