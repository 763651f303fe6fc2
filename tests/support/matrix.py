"""The interop matrix: every resolver kind `arret operator config` knows, each configured
from its snippet alone (plus loopback plumbing, `support.resolvers`), all pulling from one
`arret serve`. An order is registered effective `lead` seconds ahead for `length` seconds
with every action (`nxdomain`, `nodata`, `notice`) and an allow-listed name under its
blocked subtree (passthru); every resolver is polled every `step` seconds and the
instants its answers change are compared with the order's.

Resolvers are asked the names themselves; secondaries are asked for the trigger's owner in
their copy of the RPZ zone (they "enforce" once their copy carries the record).

Used by tests/interop/test_matrix.py (one run, asserts) and bench/interop.py (5 runs,
prints the table).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dns.edns
import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from support.authority import ADDRESS, Authority
from support.processes import Process, rcode, start_on_free_ports
from support.resolvers import (
    ARRET,
    KINDS,
    SECONDARIES,
    Running,
    claimed_bound,
    claimed_lost_notify_bound,
    launch,
)

#: Each kind's operator (one feed zone per kind, as at an ISP with one resolver of each).
OPERATORS = {
    "unbound": "unb",
    "bind": "bnd",
    "powerdns": "pdn",
    "knot-resolver": "krs",
    "knot": "knt",
    "nsd": "nsd",
    "bind-secondary": "bsc",
}
NOTICE_HOST = "notice.example"
#: Where the notice host lives, for `arret operator config --notice-address` (Knot
#: Resolver's `feed sync` answers it for `notice` rules).
NOTICE_ADDRESS = "192.0.2.80"
#: The kinds that act on NOTIFY (PowerDNS Recursor 4.8 and `feed sync` poll).
NOTIFIED = ("unbound", "bind", "knot", "nsd", "bind-secondary")
#: What each probe is: an action of the order, or the passthru.
PROBES = ("nxdomain", "nodata", "notice", "passthru")
BLOCKED, REAL, OTHER = "blocked", "real", "other"
#: The TTL of the feed's policy records: no blocked answer should be cached longer.
POLICY_TTL = 60


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def probe_names(tag: str) -> dict[str, str]:
    return {
        "nxdomain": f"www.nx-{tag}.example",  # below the blocked name: the subtree rule
        "nodata": f"nd-{tag}.example",
        "notice": f"nt-{tag}.example",
        "passthru": f"press.nx-{tag}.example",  # allow-listed inside the blocked subtree
    }


@dataclass
class Sample:
    sent: float
    received: float
    state: str  # BLOCKED, REAL or OTHER (an error, a timeout, an unexpected answer)
    form: str  # what the answer was: NXDOMAIN, NODATA, CNAME notice, A …, ERROR …
    censored: bool  # carried EDE 16 "Censored"
    ttl: int = 0  # the longest TTL in the answer and authority sections


def classify_resolver(answer: dns.message.Message) -> tuple[str, str]:
    code = dns.rcode.to_text(answer.rcode())
    if code == "NXDOMAIN":
        return BLOCKED, "NXDOMAIN"
    if code != "NOERROR":
        return OTHER, code
    cnames = [r for r in answer.answer if r.rdtype == dns.rdatatype.CNAME]
    addresses = [r.to_text() for s in answer.answer if s.rdtype == dns.rdatatype.A for r in s]
    if cnames:
        target = cnames[0][0].target.to_text()  # type: ignore[attr-defined]
        return (BLOCKED if target == NOTICE_HOST + "." else OTHER), f"CNAME {target}"
    if not answer.answer:
        return BLOCKED, "NODATA"
    if addresses == [ADDRESS]:
        return REAL, "A real"
    if addresses == [NOTICE_ADDRESS]:
        return BLOCKED, "A notice"
    return OTHER, f"A {addresses}"


def classify_secondary(answer: dns.message.Message) -> tuple[str, str]:
    code = dns.rcode.to_text(answer.rcode())
    if code == "NXDOMAIN":
        return REAL, "no record"
    cnames = [r for r in answer.answer if r.rdtype == dns.rdatatype.CNAME]
    if code == "NOERROR" and cnames:
        return BLOCKED, f"CNAME {cnames[0][0].target}"  # type: ignore[attr-defined]
    return OTHER, code


EXPECTED_FORM = {
    "nxdomain": {"NXDOMAIN"},
    "nodata": {"NODATA"},
    "notice": {f"CNAME {NOTICE_HOST}.", "A notice"},
}


@dataclass
class Window:
    tag: str
    effective: float  # epoch seconds
    expires: float
    samples: dict[tuple[str, str], list[Sample]] = field(default_factory=dict)


@dataclass
class Outcome:
    """What one resolver did with one probe in one window."""

    kind: str
    probe: str
    bound: float
    start: float | None  # seconds after the effective instant blocking started
    stop: float | None  # seconds after the expiry it stopped
    problems: list[str]


class Lab:
    """One `arret serve`, the test authority, and every resolver kind configured from its
    snippet. `close()` stops them all (by PID)."""

    def __init__(self, folder: Path, kinds: tuple[str, ...] = KINDS) -> None:
        self.folder = folder
        self.env = {**os.environ, "ARRET_DB": f"sqlite:///{folder / 'arret.db'}"}
        self.authority = Authority()
        self.kinds = kinds
        self.running: dict[str, Running] = {}
        self.snippets: dict[str, str] = {}
        self.serve: Process | None = None
        self.notify_lost = False
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def arret(self, *args: str) -> str:
        run = subprocess.run([ARRET, *args], env=self.env, capture_output=True, text=True)
        assert run.returncode == 0, (args, run.stdout, run.stderr)
        return run.stdout

    def arret_each(self, commands: list[list[str]]) -> list[str]:
        """Several `arret` commands side by side (each process mostly starts Python)."""
        with ThreadPoolExecutor(4) as pool:
            return list(pool.map(lambda args: self.arret(*args), commands))

    def _start(self) -> None:
        self.arret("init")
        self.arret_each([["operator", "add", OPERATORS[kind]]
                         + (["--allow-from", "127.0.0.0/8"] if kind == "unbound" else [])
                         for kind in self.kinds])  # fmt: skip
        # A standing order tells when each resolver has loaded its feed.
        self.arret("order", "add", "--reference", "STANDING", "--authority", "TJ Paris",
                   "--decided", "2026-11-01", "--duration", "30d", "--all-operators",
                   "standing.example")  # fmt: skip
        env = self.env
        folder = self.folder

        def serve(p: tuple[int, ...]) -> Process:
            return Process([ARRET, "serve", "--dns", f"127.0.0.1:{p[0]}", "--http",
                            f"127.0.0.1:{p[1]}", "-v", "--notice-host", NOTICE_HOST],
                           folder / "serve.log", env=env)  # fmt: skip

        first = f"{OPERATORS[self.kinds[0]]}.rpz.arret."
        self.serve, (self.feed_port, _) = start_on_free_ports(
            2, serve, lambda p: rcode(p[0], first, "SOA") in ("NOERROR", "REFUSED"), 30,
            "arret serve to answer",
        )  # fmt: skip
        server = f"127.0.0.1:{self.feed_port}"
        for kind in self.kinds:
            (folder / kind).mkdir()
        # Knot Resolver is told where the notice host lives (it cannot follow the CNAME).
        printed = self.arret_each([["operator", "config", OPERATORS[kind], "--resolver", kind,
                                    "--server", server, "--dir", str(folder / kind)]
                                   + (["--notice-address", NOTICE_ADDRESS]
                                      if kind == "knot-resolver" else [])
                                   for kind in self.kinds])  # fmt: skip
        self.snippets = dict(zip(self.kinds, printed, strict=True))
        # Started side by side (they spend their start-up waiting on transfers); each is
        # ready when it enforces the standing order.
        failures: list[BaseException] = []

        def start(kind: str) -> None:
            zone = f"{OPERATORS[kind]}.rpz.arret."
            if kind in SECONDARIES:

                def ready(port: int) -> bool:
                    return rcode(port, f"standing.example.{zone}", "CNAME") == "NOERROR"
            else:

                def ready(port: int) -> bool:
                    return rcode(port, "www.standing.example") == "NXDOMAIN"

            try:
                self.running[kind] = launch(kind, self.snippets[kind], folder / kind,
                                            self.authority.port, ready, env=env)  # fmt: skip
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=start, args=(kind,)) for kind in self.kinds]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        self.arret_each([["operator", "edit", OPERATORS[kind], "--notify",
                          f"127.0.0.1:{self.running[kind].port}"]
                         for kind in self.kinds if kind in NOTIFIED])  # fmt: skip

    def bound(self, kind: str) -> float:
        """The bound `kind`'s snippet states (with NOTIFY, or after `lose_notify`)."""
        if self.notify_lost:
            lost = claimed_lost_notify_bound(self.snippets[kind])
            if lost is not None:
                return lost
        return claimed_bound(self.snippets[kind])

    def lose_notify(self) -> None:
        """From now on no resolver is told of changes: each falls back on its refresh."""
        self.arret_each([["operator", "edit", OPERATORS[kind], "--clear", "notify"]
                         for kind in self.kinds if kind in NOTIFIED])  # fmt: skip
        self.notify_lost = True

    def window(self, tag: str, lead: float = 20.0, length: float = 60.0,
               step: float = 0.2) -> Window:  # fmt: skip
        """Register an order effective `lead` s from now for `length` s, poll every
        resolver every `step` s until the longest bound after its expiry has passed."""
        names = probe_names(tag)
        self.arret("allow", "add", names["passthru"], "--reason", "a newspaper")
        effective = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=lead + 1)
        expires = effective + timedelta(seconds=length)
        targets = self.folder / f"targets-{tag}.txt"
        targets.write_text(f"nx-{tag}.example nxdomain\nnd-{tag}.example nodata\n"
                           f"nt-{tag}.example notice\n")  # fmt: skip
        self.arret("order", "add", "--reference", f"M-{tag}", "--authority", "TJ Paris",
                   "--decided", "2026-11-01", "--effective", iso(effective), "--expires",
                   iso(expires), "--all-operators", "--yes", "--targets-file",
                   str(targets))  # fmt: skip
        window = Window(tag, effective.timestamp(), expires.timestamp())
        until = window.expires + max(self.bound(k) for k in self.kinds) + 1.5
        threads = [
            threading.Thread(target=self._poll, args=(kind, names, window, until, step))
            for kind in self.kinds
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return window

    def _poll(
        self, kind: str, names: dict[str, str], window: Window, until: float, step: float
    ) -> None:
        port = self.running[kind].port
        zone = f"{OPERATORS[kind]}.rpz.arret."
        secondary = kind in SECONDARIES
        for probe in PROBES:
            window.samples[(kind, probe)] = []
        tick = time.time()
        while tick < until:
            for probe in PROBES:
                if secondary:
                    q = dns.message.make_query(f"{names[probe]}.{zone}", "CNAME")
                else:
                    q = dns.message.make_query(names[probe], "A", use_edns=0)
                sent = time.time()
                try:
                    try:
                        answer = dns.query.udp(q, "127.0.0.1", port=port, timeout=1.0)
                    except dns.exception.Timeout:
                        # One lost datagram on a loaded machine is not the resolver's
                        # doing; a second in a row is counted.
                        answer = dns.query.udp(q, "127.0.0.1", port=port, timeout=1.0)
                    state, form = (classify_secondary if secondary else classify_resolver)(answer)
                    censored = any(
                        isinstance(o, dns.edns.EDEOption) and o.code == dns.edns.EDECode.CENSORED
                        for o in answer.options
                    )
                    ttl = max((r.ttl for r in answer.answer + answer.authority), default=0)
                except (dns.exception.DNSException, OSError) as exc:
                    state, form, censored, ttl = OTHER, f"ERROR {type(exc).__name__}", False, 0
                window.samples[(kind, probe)].append(
                    Sample(sent, time.time(), state, form, censored, ttl)
                )
            tick += step
            time.sleep(max(0.0, tick - time.time()))

    def close(self) -> None:
        for running in self.running.values():
            running.stop()
        if self.serve is not None:
            self.serve.stop()
        self.authority.close()


def outcome(kind: str, probe: str, bound: float, window: Window) -> Outcome:
    """When `kind` started and stopped blocking `probe`, and every way it strayed: a block
    before the effective instant or after expiry + bound, a start or stop later than the
    bound, a gap inside the window, a wrong form, an error, EDE Censored on a real answer."""
    samples = window.samples[(kind, probe)]
    e, x = window.effective, window.expires
    problems: list[str] = []
    secondary = kind in SECONDARIES
    blocks = probe != "passthru" or secondary  # a secondary's copy carries the passthru too
    errors = [s for s in samples if s.state == OTHER]
    if errors:
        problems.append(f"{len(errors)} answers neither blocked nor real: "
                        f"{sorted({s.form for s in errors})}")  # fmt: skip
    censored = [s for s in samples if s.censored and s.state != BLOCKED]
    if censored:
        problems.append(f"EDE Censored on {len(censored)} answers that were not blocked")
    blocked = [s for s in samples if s.state == BLOCKED]
    if not blocks:
        if blocked:
            problems.append(f"allow-listed name blocked {len(blocked)} times: {blocked[0].form}")
        return Outcome(kind, probe, bound, None, None, problems)
    early = [s for s in blocked if s.received < e]
    if early:
        problems.append(f"blocked {e - early[0].received:.1f} s before the effective instant")
    late = [s for s in blocked if s.sent > x + bound]
    if late:
        problems.append(f"still blocked {late[-1].sent - x:.1f} s after the expiry")
    if not blocked:
        problems.append("never blocked")
        return Outcome(kind, probe, bound, None, None, problems)
    longest = max(s.ttl for s in blocked)
    if not secondary and longest > POLICY_TTL:
        problems.append(f"a blocked answer carries TTL {longest} s: downstream caches would "
                        f"keep it longer than the feed's {POLICY_TTL} s")  # fmt: skip
    if not secondary and probe in EXPECTED_FORM:
        wrong = {s.form for s in blocked} - EXPECTED_FORM[probe]
        if wrong:
            problems.append(f"blocked as {sorted(wrong)}, not {sorted(EXPECTED_FORM[probe])}")
    start = blocked[0].sent - e
    inside = [s for s in samples if blocked[0].sent <= s.sent <= x and s.state == REAL]
    if inside:
        problems.append(f"answered unblocked {len(inside)} times after blocking started")
    after = [s for s in samples if s.sent >= x and s.state == REAL]
    stop = after[0].sent - x if after else None
    if after and any(s.state == BLOCKED for s in samples if s.sent > after[0].sent):
        problems.append("blocked again after it had stopped")
    if start > bound:
        problems.append(f"started {start:.1f} s after the effective instant (bound {bound:g})")
    if stop is None or stop > bound:
        problems.append(f"stopped {stop} s after the expiry (bound {bound:g})")
    return Outcome(kind, probe, bound, start, stop, problems)


def table(outcomes: list[Outcome]) -> str:
    """min/median/max start and stop delays per resolver kind and probe."""
    rows = ["| resolver | probe | bound (s) | start after E (s) min/med/max | "
            "stop after X (s) min/med/max | runs | problems |",
            "|---|---|---|---|---|---|---|"]  # fmt: skip
    keys = sorted(
        {(o.kind, o.probe) for o in outcomes},
        key=lambda k: (KINDS.index(k[0]), PROBES.index(k[1])),
    )

    def spread(values: list[float]) -> str:
        if not values:
            return "-"
        return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f}"

    for kind, probe in keys:
        mine = [o for o in outcomes if o.kind == kind and o.probe == probe]
        starts = [o.start for o in mine if o.start is not None]
        stops = [o.stop for o in mine if o.stop is not None]
        problems = sum(len(o.problems) for o in mine)
        rows.append(f"| {kind} | {probe} | {mine[0].bound:g} | {spread(starts)} | "
                    f"{spread(stops)} | {len(mine)} | {problems or '-'} |")  # fmt: skip
    return "\n".join(rows)
