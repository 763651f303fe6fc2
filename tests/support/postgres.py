"""A throwaway PostgreSQL server for the test suite.

Either a private cluster started from the installed server binaries (initdb + pg_ctl, data
and socket in a temporary directory, TCP on 127.0.0.1 on a port picked at run time), or,
when ``ARRET_TEST_PG_URL`` is set, an existing server given by its URL without database
(e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432``).

Each test gets its own freshly created database from :meth:`PostgresServer.create_database`.

Errors are split in two on purpose:

* :class:`PostgresUnavailable`: PostgreSQL cannot be had here and we are not allowed to
  install it (not root). The caller may skip.
* :class:`PostgresError`: anything else (install, initdb, start, connection failed). Never
  skip on this: it must show up as a test error.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shlex
import shutil
import socket
import stat
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from support.debian import AptError, apt_install, tail

ENV_URL = "ARRET_TEST_PG_URL"
"""Environment variable naming an existing server to use instead of starting one."""

PG_LIB_ROOT = Path("/usr/lib/postgresql")
SUPERUSER = "postgres"
OS_USER = "postgres"
"""System account the server runs as when the tests run as root (initdb refuses root)."""

_SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")


class PostgresUnavailable(Exception):
    """PostgreSQL is not installed and cannot be installed by us (not root)."""


class PostgresError(RuntimeError):
    """Installing, starting, stopping or reaching PostgreSQL failed."""


def is_root() -> bool:
    return os.geteuid() == 0


# --------------------------------------------------------------------------- binaries


def _has_server_programs(bin_dir: Path) -> bool:
    return all(os.access(bin_dir / name, os.X_OK) for name in _SERVER_PROGRAMS)


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin; "9.6" < "10" < "15" numerically.
    parts = re.findall(r"\d+", bin_dir.parent.name)
    return tuple(int(p) for p in parts)


def find_pg_bin() -> Path | None:
    """Directory holding ``initdb``, ``pg_ctl`` and ``postgres``, newest version first.

    Looks in Debian's ``/usr/lib/postgresql/*/bin``, then on ``PATH``.
    """
    candidates = [d for d in PG_LIB_ROOT.glob("*/bin") if _has_server_programs(d)]
    if candidates:
        return max(candidates, key=_version_key)
    initdb = shutil.which("initdb")
    if initdb is not None:
        bin_dir = Path(initdb).resolve().parent
        if _has_server_programs(bin_dir):
            return bin_dir
    return None


def _apt_install_postgresql() -> None:
    """``apt-get install postgresql`` without starting the packaged service."""
    try:
        apt_install(["postgresql"])
    except AptError as exc:
        raise PostgresError(str(exc)) from None


def ensure_installed() -> Path:
    """The server binaries' directory, installing PostgreSQL with apt-get if root.

    Raises :class:`PostgresUnavailable` when missing and not root, :class:`PostgresError`
    when the install fails.
    """
    found = find_pg_bin()
    if found is not None:
        return found
    if not is_root():
        raise PostgresUnavailable(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in "
            f"{PG_LIB_ROOT}/*/bin nor on PATH, and not running as root so they cannot be "
            f"installed. Install the 'postgresql' package, or set {ENV_URL} to a server URL "
            "such as postgresql+psycopg://postgres@127.0.0.1:5432"
        )
    _apt_install_postgresql()
    found = find_pg_bin()
    if found is None:
        raise PostgresError(
            "apt-get install postgresql succeeded but no initdb/pg_ctl/postgres were found in "
            f"{PG_LIB_ROOT}/*/bin"
        )
    return found


# --------------------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PostgresServer:
    """A server where each test gets a fresh database."""

    def __init__(self, base_url: URL, admin_db: str = "postgres") -> None:
        self._base_url = base_url.set(drivername="postgresql+psycopg", database=None)
        self._admin_db = admin_db
        self._created: list[str] = []

    def url(self, dbname: str) -> str:
        """SQLAlchemy URL of database ``dbname`` on this server (psycopg 3 driver)."""
        return self._base_url.set(database=dbname).render_as_string(hide_password=False)

    def _conninfo(self, dbname: str) -> str:
        # libpq understands postgresql:// URIs, not SQLAlchemy's "+driver" suffix.
        url = self._base_url.set(drivername="postgresql", database=dbname)
        return url.render_as_string(hide_password=False)

    def connect_admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self._conninfo(self._admin_db), autocommit=True, connect_timeout=10)

    def create_database(self) -> str:
        """Create a new, empty, uniquely named database and return its SQLAlchemy URL."""
        name = f"arret_test_{uuid.uuid4().hex[:16]}"
        with self.connect_admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self._created.append(name)
        return self.url(name)

    def owns(self, url: str) -> bool:
        """Whether `url` names a database `create_database` made here."""
        return make_url(url).database in self._created

    def recreate_from(self, url: str, template: str) -> None:
        """Replace the database of `url` (one `create_database` made, unused yet) with a
        copy of the database `template` (which nobody may be connected to)."""
        name = make_url(url).database
        assert name is not None and name in self._created, url
        with self.connect_admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)))  # fmt: skip

    def stop(self) -> None:
        raise NotImplementedError


class ExternalServer(PostgresServer):
    """A server we did not start (``ARRET_TEST_PG_URL``); we only drop what we created."""

    def __init__(self, server_url: str) -> None:
        url = make_url(server_url)
        if url.get_backend_name() != "postgresql":
            raise PostgresError(f"{ENV_URL} must be a postgresql:// URL, got {server_url!r}")
        super().__init__(url, admin_db=url.database or "postgres")
        self._stopped = False
        try:
            with self.connect_admin() as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:
            raise PostgresError(f"cannot reach the server given by {ENV_URL}: {exc}") from exc
        atexit.register(self.stop)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        with self.connect_admin() as conn:
            for name in self._created:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self._created.clear()


def _temp_base() -> str | None:
    """Where to make the cluster's directory: the usual temp dir, unless (as root) the
    ``postgres`` user could not get through one of its parents; then /tmp."""
    base = Path(tempfile.gettempdir()).resolve()
    if not is_root():
        return None
    for directory in (base, *base.parents):
        if not directory.stat().st_mode & stat.S_IXOTH:
            return "/tmp"
    return None


class Cluster(PostgresServer):
    """A private cluster: ``Cluster().start()`` ... ``.stop()``.

    As root the server programs run as the ``postgres`` user through ``su``; otherwise as
    the current user. Data directory, socket directory and logs live in one temporary
    directory, removed by :meth:`stop`. An ``atexit`` hook stops it if the session dies
    without calling :meth:`stop`.
    """

    START_ATTEMPTS = 5

    def __init__(self, bin_dir: Path | None = None, settings: Sequence[str] = ()) -> None:
        """`settings` (``name=value``) follow the throwaway defaults and override them."""
        self.bin_dir = bin_dir if bin_dir is not None else ensure_installed()
        self.settings = list(settings)
        self.port = 0
        self.root: Path | None = None
        self.startup_seconds: float | None = None
        self._started = False
        self._stopped = False
        super().__init__(URL.create("postgresql+psycopg", username=SUPERUSER, host="127.0.0.1"))

    # ---------------------------------------------------------------- paths & commands

    @property
    def data_dir(self) -> Path:
        assert self.root is not None, "cluster not started"
        return self.root / "data"

    @property
    def server_log(self) -> Path:
        assert self.root is not None, "cluster not started"
        return self.root / "server.log"

    def _run(self, argv: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run a server program as the cluster's owner, output captured."""
        if is_root():
            argv = ["su", OS_USER, "-s", "/bin/sh", "-c", shlex.join(argv)]
        return subprocess.run(
            argv,
            cwd=self.root,  # readable by the owner, whoever we are
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )

    def _pg_ctl(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return self._run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), *args], timeout)

    def _log_tail(self) -> str:
        try:
            return tail(self.server_log.read_text(errors="replace"))
        except OSError:
            return "(no server log)"

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> Cluster:
        if self._started or self._stopped:
            raise PostgresError("a Cluster can be started only once")
        began = time.monotonic()
        self.root = Path(tempfile.mkdtemp(prefix="arret-pg-", dir=_temp_base()))
        self._started = True
        atexit.register(self.stop)
        try:
            if is_root():
                try:
                    owner = pwd.getpwnam(OS_USER)
                except KeyError:
                    raise PostgresError(
                        f"running as root but there is no '{OS_USER}' user to run the server"
                    ) from None
                os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._initdb()
            self._start_server()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def _initdb(self) -> None:
        result = self._run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",  # throwaway data: skip the final fsync of every file
            ]
        )
        if result.returncode != 0:
            raise PostgresError(f"initdb failed (exit {result.returncode}):\n{tail(result.stdout)}")

    def _start_server(self) -> None:
        assert self.root is not None
        # The port is free when picked but could be taken before the server binds it.
        for _attempt in range(self.START_ATTEMPTS):
            port = _free_port()
            options = shlex.join(
                [
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-p",
                    str(port),
                    "-k",
                    str(self.root),
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    *(arg for setting in self.settings for arg in ("-c", setting)),
                ]
            )
            result = self._pg_ctl(
                "-l", str(self.server_log), "-w", "-t", "60", "start", "-o", options, timeout=90
            )
            if result.returncode == 0:
                self.port = port
                self._base_url = self._base_url.set(port=port)
                return
            log = self._log_tail()
            if "could not bind" not in log and "already in use" not in log:
                raise PostgresError(
                    f"pg_ctl start failed (exit {result.returncode}):\n{tail(result.stdout)}\n"
                    f"server log:\n{log}"
                )
        raise PostgresError(
            f"pg_ctl start failed {self.START_ATTEMPTS} times on busy ports:\n{self._log_tail()}"
        )

    def crash(self) -> None:
        """Stops the server as a power cut would (``-m immediate``); keeps its files."""
        self._pg_ctl("-m", "immediate", "-w", "-t", "30", "stop", timeout=60)

    def stop(self) -> None:
        """Stop the server (``pg_ctl -m fast stop``) and delete its directory. Idempotent."""
        if self._stopped or not self._started:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        assert self.root is not None
        if (self.data_dir / "postmaster.pid").exists():
            stopped = self._pg_ctl("-m", "fast", "-w", "-t", "60", "stop", timeout=90)
            if stopped.returncode != 0:
                self._pg_ctl("-m", "immediate", "-w", "-t", "30", "stop", timeout=60)
            status = self._pg_ctl("status", timeout=30)
            if status.returncode == 0:  # still running: keep its files, say so
                raise PostgresError(
                    f"could not stop the test cluster in {self.root}:\n{tail(stopped.stdout)}"
                )
        # A session's cluster holds a database per test (about 90,000 files, 3 GB for 300):
        # deleting them took 20 s at the end of every worker. They are moved aside at once
        # and deleted by a process of their own that outlives the tests.
        with contextlib.suppress(FileNotFoundError):
            doomed = self.root.with_name(self.root.name + ".deleting")
            self.root.rename(doomed)
            subprocess.Popen(["rm", "-rf", "--", str(doomed)], start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


#: The server of this test process's `pg_cluster` fixture while it runs (support.website
#: copies its databases from a template made there).
ACTIVE: PostgresServer | None = None


def start_server() -> PostgresServer:
    """The server the tests use: ``ARRET_TEST_PG_URL`` if set, else a fresh :class:`Cluster`."""
    external = os.environ.get(ENV_URL)
    if external:
        return ExternalServer(external)
    return Cluster(ensure_installed()).start()


class Standby(Cluster):
    """A streaming standby of `primary` (``pg_basebackup -R``): read-only until
    :meth:`promote`. Started and stopped like a :class:`Cluster`."""

    def __init__(self, primary: Cluster, settings: Sequence[str] = ()) -> None:
        super().__init__(primary.bin_dir, [*primary.settings, *settings])
        self.primary = primary

    def _initdb(self) -> None:
        result = self._run(
            [
                str(self.bin_dir / "pg_basebackup"),
                "-D",
                str(self.data_dir),
                "-R",
                "-X",
                "stream",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.primary.port),
                "-U",
                SUPERUSER,
                "--no-sync",
            ]
        )
        if result.returncode != 0:
            raise PostgresError(
                f"pg_basebackup failed (exit {result.returncode}):\n{tail(result.stdout)}"
            )

    def promote(self) -> None:
        result = self._pg_ctl("-w", "-t", "60", "promote", timeout=90)
        if result.returncode != 0:
            raise PostgresError(f"pg_ctl promote failed:\n{tail(result.stdout)}")
