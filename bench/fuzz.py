"""A long fuzz run against a real `arret serve`: crashes and memory growth.

Starts `arret serve` on loopback (fresh SQLite registry, one operator "fuzz" with a small
policy, its TSIG key and one of another operator), then sends `--packets` DNS messages
(default 1,000,000) to it — and to 127.0.0.1 only — built from valid queries and broken
in every way `tests/support/dnsfuzz.py` knows (flags, opcodes, EDNS, TSIG garbage,
truncations, bit flips, huge counts, compression loops):

- most over UDP, from a pool generated in advance (no dnspython in the hot loop);
- a share over TCP: well-framed and pipelined, mis-framed (a length longer or shorter
  than what follows, zero, a lone byte), slow (one byte at a time), and pipelined queries
  whose answers are never read, the connection left open for a batch.

After every batch it checks that the process is alive and still answers a valid SOA
query, and samples its RSS. Prints a table (packets, answers, crash, RSS at start, ¼, ½,
¾ and end, growth over the second half) and exits 1 on a crash, 2 when memory did not
plateau (second-half growth above `--max-growth-mib`).

    .venv/bin/python bench/fuzz.py [--packets 1000000] [--quick] [--seed 1]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import dns.exception  # noqa: E402
import dns.message  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
from support import dnsfuzz  # noqa: E402
from support.processes import Process, start_on_free_ports  # noqa: E402
from support.signed import ensure_key  # noqa: E402

ARRET = str(Path(sys.executable).parent / "arret")
#: The only address this script sends to.
HOST = "127.0.0.1"
ZONE = "fuzz.rpz.arret."
POOL = 20_000
#: Shares of the packets that go over TCP, and of the pool that is plain random bytes.
TCP_SHARE = 0.05
RANDOM_SHARE = 0.05
#: UDP messages sent at once, and the silence (s) that says the server is done with them.
UDP_CHUNK = 100
QUIET = 0.01


@dataclass
class Tally:
    sent: int = 0
    answers: int = 0
    tcp_sent: int = 0
    tcp_answers: int = 0
    rss: list[tuple[int, float]] = field(default_factory=list)  # (packets sent, MiB)
    crashed: str = ""
    held: list[socket.socket] = field(default_factory=list)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def arret(env: dict[str, str], *args: str) -> str:
    run = subprocess.run([ARRET, *args], env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"arret {' '.join(args)} failed:\n{run.stderr}")
    return run.stdout


def secret_of(output: str) -> str:
    found = re.search(r"secret:\s+(\S+)", output)
    assert found, output
    return found.group(1)


def setup(folder: Path) -> tuple[dict[str, str], dnsfuzz.Keys]:
    """A registry with operator `fuzz` (unsigned queries from loopback admitted, and its
    TSIG key) blocking a few hundred names, and operator `other` whose key is valid but
    not for `fuzz`'s zone."""
    ensure_key()
    env = {**os.environ, "ARRET_DB": f"sqlite:///{folder / 'arret.db'}"}
    arret(env, "init")
    mine = secret_of(arret(env, "operator", "add", "fuzz", "--allow-from", "127.0.0.0/8"))
    other = secret_of(arret(env, "operator", "add", "other"))
    targets = folder / "targets.txt"
    targets.write_text("".join(f"site{i}.example\n" for i in range(300)))
    arret(env, "order", "add", "--reference", "FUZZ-1", "--authority", "bench", "--decided",
          "2026-01-01", "--duration", "90d", "--operator", "fuzz", "--yes", "--targets-file",
          str(targets))  # fmt: skip
    return env, (("fuzz-1.tsig.arret.", mine), ("other-1.tsig.arret.", other))


def pool(rng: random.Random, keys: dnsfuzz.Keys, size: int) -> list[bytes]:
    """Mutated queries, and a share of plain random bytes, generated once."""
    out = []
    for _ in range(size):
        if rng.random() < RANDOM_SHARE:
            out.append(rng.randbytes(rng.randint(0, 600)))
        else:
            made = dnsfuzz.query(rng.randint, ZONE, keys)
            out.append(dnsfuzz.mutate(made.wire, rng.randint))
    return out


def soa_serial(port: int, tries: int = 3, timeout: float = 2) -> int | None:
    """The zone's serial from a valid SOA query, or None when no answer comes."""
    for _ in range(tries):
        try:
            answer = dns.query.udp(dns.message.make_query(ZONE, "SOA"), HOST, port=port,
                                   timeout=timeout)  # fmt: skip
        except (TimeoutError, OSError, dns.exception.DNSException):
            continue
        if answer.rcode() == dns.rcode.NOERROR and answer.answer:
            return int(answer.answer[0][0].serial)  # type: ignore[attr-defined]
    return None


def drain_udp(sock: socket.socket, wait: float) -> int:
    got = 0
    while select.select([sock], [], [], wait)[0]:
        try:
            sock.recv(65535)
        except (BlockingIOError, ConnectionRefusedError):
            break
        got += 1
    return got


def udp_burst(sock: socket.socket, port: int, packets: list[bytes], tally: Tally) -> None:
    """Send in chunks, each once the server has gone quiet on the last: the point is that
    it parses every message, not that its socket buffer drops them."""
    for start in range(0, len(packets), UDP_CHUNK):
        for packet in packets[start : start + UDP_CHUNK]:
            with contextlib.suppress(BlockingIOError, ConnectionRefusedError):
                sock.sendto(packet, (HOST, port))
            tally.sent += 1
        tally.answers += drain_udp(sock, QUIET)


def frame(message: bytes) -> bytes:
    return struct.pack("!H", len(message) & 0xFFFF) + message


def read_frames(sock: socket.socket, wait: float) -> int:
    """Answers read on `sock` until the server closes it (we half-closed it first) or it
    is quiet for `wait` s."""
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        return 0
    sock.settimeout(wait)
    data, count = b"", 0
    try:
        while chunk := sock.recv(65536):
            data += chunk
            while len(data) >= 2 and len(data) >= 2 + struct.unpack("!H", data[:2])[0]:
                data = data[2 + struct.unpack("!H", data[:2])[0] :]
                count += 1
    except (TimeoutError, OSError):
        pass
    return count


def tcp_session(port: int, kind: int, packets: list[bytes], rng: random.Random,
                tally: Tally) -> None:  # fmt: skip
    """One TCP connection of the given kind; counts what it sent and what came back."""
    sock = socket.create_connection((HOST, port), timeout=2)
    keep = False
    try:
        if kind == 0:  # well framed, pipelined, answers read
            sock.sendall(b"".join(frame(p) for p in packets))
            tally.tcp_answers += read_frames(sock, 2)
        elif kind == 1:  # mis-framed: a length that lies, zero, or a lone byte
            for packet in packets:
                lie = rng.choice((len(packet) + rng.randint(1, 500), max(len(packet) - 3, 0),
                                  0, 0xFFFF))  # fmt: skip
                sock.sendall(struct.pack("!H", lie) + packet)
            if rng.random() < 0.3:
                sock.sendall(b"\x00")
            tally.tcp_answers += read_frames(sock, 2)
        elif kind == 2:  # slow: a byte at a time
            for byte in frame(packets[0]):
                sock.sendall(bytes([byte]))
                time.sleep(0.0005)
            tally.tcp_answers += read_frames(sock, 2)
            packets = packets[:1]
        else:  # pipelined and never read: the server's send queue fills
            sock.setblocking(False)
            burst = b"".join(frame(p) for p in packets)
            with contextlib.suppress(BlockingIOError):
                sock.send(burst)
            keep = True
        tally.sent += len(packets)
        tally.tcp_sent += len(packets)
    except OSError:
        tally.sent += len(packets)
        tally.tcp_sent += len(packets)
    finally:
        if keep:
            tally.held.append(sock)
        else:
            sock.close()


def one_batch(port: int, udp: socket.socket, size: int, packets: list[bytes],
              valid: list[bytes], rng: random.Random, tally: Tally) -> None:  # fmt: skip
    tcp_budget = int(size * TCP_SHARE)
    udp_count = size - tcp_budget
    offset = rng.randrange(len(packets))
    chosen = (packets + packets)[offset : offset + udp_count]
    while len(chosen) < udp_count:
        chosen += packets[: udp_count - len(chosen)]
    udp_burst(udp, port, chosen, tally)
    while tcp_budget > 0:
        kind = rng.randrange(4)
        count = min(tcp_budget, 1 if kind == 2 else rng.randint(1, 40 if kind != 3 else 400))
        if kind == 3:
            # valid SOA/AXFR queries: their answers are what fills a send queue
            batch = [rng.choice(valid) for _ in range(count)]
        else:
            batch = [rng.choice(packets) for _ in range(count)]
        tcp_session(port, kind, batch, rng, tally)
        tcp_budget -= count


def run(packets_total: int, batch: int, seed: int, max_growth: float, out: Callable[[str], None]
        ) -> int:  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="arret-bench-fuzz-"))
    env, keys = setup(folder)

    def start(ports: tuple[int, ...]) -> Process:
        return Process([ARRET, "serve", "--dns", f"{HOST}:{ports[0]}", "--http",
                        f"{HOST}:{ports[1]}", "--probe-every", "off"], folder / "serve.log",
                       env=env)  # fmt: skip

    def ready(ports: tuple[int, ...]) -> bool:
        return soa_serial(ports[0], 1, 0.2) is not None

    server, (port, _) = start_on_free_ports(2, start, ready, 60, "arret serve")
    rng = random.Random(seed)
    began = time.perf_counter()
    pooled = pool(rng, keys, min(POOL, max(packets_total // 5, 1000)))
    valid = [dns.message.make_query(ZONE, t).to_wire() for t in ("SOA", "AXFR")]
    generated = time.perf_counter() - began
    tally = Tally()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setblocking(False)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    pid = server.popen.pid
    tally.rss.append((0, rss_mib(pid)))
    started = time.perf_counter()
    try:
        while tally.sent < packets_total and not tally.crashed:
            one_batch(port, udp, min(batch, packets_total - tally.sent), pooled, valid, rng,
                      tally)  # fmt: skip
            for sock in tally.held[:-20]:  # at most 20 unread connections at a time
                sock.close()
            del tally.held[:-20]
            if server.popen.poll() is not None:
                tally.crashed = f"exited with status {server.popen.returncode}"
            elif soa_serial(port) is None:
                tally.crashed = "alive but no longer answers a valid SOA query"
            else:
                tally.rss.append((tally.sent, rss_mib(pid)))
                print(
                    f"# {tally.sent:,} sent, {tally.answers + tally.tcp_answers:,} answers, "
                    f"RSS {tally.rss[-1][1]:.1f} MiB",
                    file=sys.stderr,
                    flush=True,
                )
        elapsed = time.perf_counter() - started
    finally:
        for sock in tally.held:
            sock.close()
        udp.close()
        server.stop()
    report(tally, elapsed, generated, len(pooled), max_growth, out)
    if tally.crashed:
        out(f"\nCRASH: {tally.crashed}; the server's log: {folder / 'serve.log'}")
        return 1
    if growth(tally) > max_growth:
        return 2
    return 0


def at_fraction(tally: Tally, fraction: float) -> float:
    """RSS at the sample nearest to `fraction` of the packets sent."""
    goal = tally.sent * fraction
    return min(tally.rss, key=lambda sample: abs(sample[0] - goal))[1]


def growth(tally: Tally) -> float:
    return at_fraction(tally, 1.0) - at_fraction(tally, 0.5)


def report(tally: Tally, elapsed: float, generated: float, pooled: int, max_growth: float,
           out: Callable[[str], None]) -> None:  # fmt: skip
    grew = growth(tally)
    rows = [
        ("packets sent", f"{tally.sent:,} ({tally.tcp_sent:,} over TCP)"),
        ("answers received", f"{tally.answers + tally.tcp_answers:,} "
                             f"({tally.tcp_answers:,} over TCP)"),
        ("time", f"{elapsed:,.1f} s ({tally.sent / max(elapsed, 1e-9):,.0f} packets/s); "
                 f"pool of {pooled:,} generated in {generated:.1f} s"),
        ("crashes", "1" if tally.crashed else "0"),
        *((f"RSS at {name}", f"{at_fraction(tally, f):.1f} MiB")
          for name, f in (("start", 0), ("1/4", 0.25), ("1/2", 0.5), ("3/4", 0.75),
                          ("end", 1.0))),
        ("growth, 2nd half", f"{grew:+.1f} MiB (limit {max_growth:.0f} MiB): "
                             f"{'plateaued' if grew <= max_growth else 'GROWING'}"),
    ]  # fmt: skip
    out("| figure | value |\n|---|---|")
    for name, value in rows:
        out(f"| {name} | {value} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 packets (the test suite)")
    parser.add_argument("--batch", type=int, default=None, help="packets between checks")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-growth-mib", type=float, default=8.0,
                        help="RSS growth over the second half that fails the run")  # fmt: skip
    args = parser.parse_args()
    packets = 20_000 if args.quick else args.packets
    batch = args.batch or max(min(packets // 40, 25_000), 1_000)
    return run(packets, batch, args.seed, args.max_growth_mib, print)


if __name__ == "__main__":
    sys.exit(main())
