"""Run a command as a person at a terminal runs it: stdin, stdout and stderr on a
pseudo-terminal (pty) of a given size, everything it draws read back as bytes."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios
from collections.abc import Mapping, Sequence

#: ANSI escape sequences (colours, cursor moves, line erasing).
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
#: Drawn by rich when a live display starts (the cursor hidden) and ends (shown again).
CURSOR_HIDDEN, CURSOR_SHOWN = b"\x1b[?25l", b"\x1b[?25h"


def run_in_terminal(
    args: Sequence[str], env: Mapping[str, str], columns: int = 120, timeout: float = 300
) -> tuple[int, bytes]:
    """Run `args` on a fresh pty `columns` wide; its exit status and all it wrote."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    environment = {**env, "TERM": "xterm-256color", "COLUMNS": str(columns)}
    environment.pop("NO_COLOR", None)
    process = subprocess.Popen(
        list(args), stdin=slave, stdout=slave, stderr=slave, env=environment, close_fds=True
    )
    os.close(slave)
    out = bytearray()
    try:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every copy of the pty's other end is closed
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(master)
    return process.wait(timeout=timeout), bytes(out)


def lines(drawn: bytes) -> list[str]:
    """What is left on screen line by line, roughly: escapes removed, each line's last
    redraw (after its last carriage return) kept."""
    text = ESCAPES.sub(b"", drawn).decode("utf-8", "replace")
    return [line.rsplit("\r", 1)[-1] for line in text.replace("\r\n", "\n").split("\n")]
