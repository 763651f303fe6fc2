"""The unsalted multiset sum of many policy entries (`arret.tlog.multiset.add`), worked
out by another process while this one goes on writing.

A million names are two million SHAKE-256 outputs of 512 octets: about 5 s of CPU, all
of it under Python's global lock (hashlib releases it only to absorb inputs of 2 KiB and
more). In a second thread it ran only while the database worked without the lock, and
waited for it the rest of the time: the encoding, the log leaves and the rows of the same
registration held it. A child process has a lock of its own, so the sum costs the
registration no wall time on a machine with a second core, whatever else is running in
this process. The child runs the same function on the same entries (`python -m
arret.store.multisum`, entries on its standard input as `owner kind` lines, the sum on
its standard output as 512 octets, little-endian).

Nothing depends on the child's success: when it cannot be started or gives no sum,
`Pending.result` answers None and the caller sums the entries itself.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence

from arret.tlog import multiset


def encode(by_kind: Mapping[str, Sequence[str]]) -> bytes | None:
    """The entries, given as owners per kind, as the lines the child reads: one join per
    kind, no object per entry. None when an owner or a kind holds a line break or a
    kind a space (never, for names): the lines could not be read back as written."""
    parts = []
    count = 0
    for kind, owners in by_kind.items():
        if not owners:
            continue
        tail = f" {kind}\n"
        parts.append(tail.join(owners) + tail)
        count += len(owners)
    blob = "".join(parts).encode("utf-8")
    if any(" " in k or "\n" in k for k in by_kind) or blob.count(b"\n") != count:
        return None
    return blob


class Pending:
    """A sum being worked out by a child process (`start`)."""

    def __init__(self, blob: bytes) -> None:
        self._out: list[bytes] = []
        try:
            self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
                [sys.executable, "-m", "arret.store.multisum"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self._process = None
            return
        process = self._process

        # The pipe is written and read by a thread: the child reads while this process
        # goes on, and the writes wait without Python's lock.
        def talk() -> None:
            try:
                out, _ = process.communicate(blob)
            except (OSError, ValueError):
                return
            self._out.append(out)

        self._talker = threading.Thread(target=talk, name="multisum", daemon=True)
        self._talker.start()

    def result(self) -> int | None:
        """The sum (modulo 2^4096), waiting for the child; None when it gave none."""
        if self._process is None:
            return None
        self._talker.join()
        out = self._out[0] if self._out else b""
        if self._process.returncode != 0 or len(out) != multiset.OCTETS:
            return None
        return int.from_bytes(out, "little")

    def cancel(self) -> None:
        """Stop the child (the sum is not needed any more)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._talker.join()


def start(blob: bytes) -> Pending:
    """Start summing the entries of `blob` (`encode`) in a child process."""
    return Pending(blob)


def main() -> None:
    text = sys.stdin.buffer.read().decode("utf-8")
    lines = text.split("\n")
    assert lines[-1] == "", "every line ends with a line break"
    entries = [line.rpartition(" ")[::2] for line in lines[:-1]]
    total = multiset.add(0, b"", entries)
    sys.stdout.buffer.write(total.to_bytes(multiset.OCTETS, "little"))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
