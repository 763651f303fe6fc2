"""A real headless Chromium for the tests, driven by Python Playwright.

Debian's Chromium only (``/usr/bin/chromium``, packages ``chromium`` and ``chromium-driver``),
installed with apt when missing and we are root; skipped when it cannot be installed (not
root, or no apt-get). Playwright never downloads a browser here: ``playwright install`` is
never run and every launch names ``executable_path``.

The browser only talks to loopback: ``--host-resolver-rules`` makes every name and every IP
literal fail with ``net::ERR_NAME_NOT_RESOLVED`` except ``localhost``, ``127.0.0.1`` and
``::1``. Extra names can be mapped onto loopback at launch (``map_hosts``), which is how a
test sends a request to the local server with the ``Host`` header of a blocked name:

* ``map_hosts=["dossiers-labos.example"]``: ``http://dossiers-labos.example:PORT/`` reaches
  ``127.0.0.1:PORT`` with ``Host: dossiers-labos.example:PORT``;
* ``map_hosts={"dossiers-labos.example": f"127.0.0.1:{port}"}``:
  ``http://dossiers-labos.example/`` reaches ``127.0.0.1:PORT`` with
  ``Host: dossiers-labos.example`` (no port, as a browser sends it for port 80).

Usage, from a test module (or once for all from ``tests/conftest.py``)::

    pytest_plugins = ["support.browser"]  # registers the fixtures below

    def test_home(page: Page) -> None: ...

    @pytest.mark.parametrize("page_locale", ["fr-FR"])  # overrides the page's locale
    def test_home_in_french(page: Page) -> None: ...

    def test_notice(chromium_launcher: ChromiumLauncher) -> None:
        browser = chromium_launcher(map_hosts=["dossiers-labos.example"])
        with new_page(browser, locale="fr-FR") as page: ...

The sync Playwright API is used: call it from the test's own thread, never from inside a
running asyncio loop.

Traps: after a failed ``page.goto`` Chromium commits ``chrome-error://chromewebdata/``, which
can interrupt a ``goto`` issued right after it (use a fresh page, or fail last). Chromium
refuses "unsafe" ports (6000, 6665-6669, 10080...) with ``ERR_UNSAFE_PORT``; ports from
``free_port()`` are ephemeral (>= 32768) and safe. ``/usr/bin/chromium`` is Debian's shell
wrapper (it sources ``/etc/chromium.d``; its ``[: ...: unexpected operator`` on stderr is
harmless) and execs ``/usr/lib/chromium/chromium``. The rules do not cover WebRTC UDP to
IP literals; the pages under test are ours.

PYTEST_DONT_REWRITE: test modules import this module before ``pytest_plugins`` registers it,
which would otherwise warn "Module already imported so cannot be rewritten".
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, TypeAlias

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from support.debian import apt_install, is_root

# Defensive: nothing in the test run may fetch a Playwright browser build.
os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PACKAGES = ["chromium", "chromium-driver"]

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"  # gitignored (/test-artifacts/)

DEFAULT_LOCALE = "en-US"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")  # `EXCLUDE ::1`, not `[::1]`

# Playwright adds its own `--headless` and `--no-sandbox` too; the doubles are harmless.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",  # the tests run as root
    "--headless=new",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

HostMap: TypeAlias = Iterable[str] | Mapping[str, str]
"""Names to map onto loopback: a list (each to 127.0.0.1, the URL's port kept) or a
mapping name -> loopback target (``127.0.0.1`` or ``127.0.0.1:PORT``)."""


class ChromiumLauncher(Protocol):
    """What the `chromium_launcher` fixture gives: launch a browser, closed after the test."""

    def __call__(self, map_hosts: HostMap = ()) -> Browser: ...


_NAME = re.compile(r"^[A-Za-z0-9*][A-Za-z0-9.*-]*$")
_TARGET = re.compile(r"^(?P<host>[^:\[\]]+|\[[0-9A-Fa-f:]+\])(?::(?P<port>\d{1,5}))?$")


def require_chromium() -> Path:
    """``/usr/bin/chromium``, installing Debian's ``chromium`` and ``chromium-driver`` when
    missing. Skips when they cannot be installed (not root, or no apt-get); an apt failure
    as root is an error (`AptError`), never a skip."""
    if CHROMIUM.is_file() and CHROMEDRIVER.is_file():
        return CHROMIUM
    packages = " ".join(PACKAGES)
    if not is_root():
        pytest.skip(
            f"{CHROMIUM} is missing (Debian packages {packages}); not root, so not installed"
        )
    if shutil.which("apt-get") is None:
        pytest.skip(f"{CHROMIUM} is missing and there is no apt-get to install {packages}")
    apt_install(PACKAGES)
    if not CHROMIUM.is_file():
        raise RuntimeError(f"installed {packages} but {CHROMIUM} is still missing")
    return CHROMIUM


def _loopback_target(target: str) -> str:
    match = _TARGET.match(target)
    if match is None:
        raise ValueError(f"bad host mapping target {target!r}")
    host = match["host"].strip("[]")
    if host == "localhost":
        return target
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"host mapping target {target!r} is not a loopback address")
    return target


def host_resolver_rules(map_hosts: HostMap = ()) -> str:
    """The ``--host-resolver-rules`` value: the mapped names first, then every other name or
    IP literal made unresolvable, loopback excepted (EXCLUDE rules win over MAP rules)."""
    pairs = (
        list(map_hosts.items())
        if isinstance(map_hosts, Mapping)
        else [(name, "127.0.0.1") for name in map_hosts]
    )
    rules = []
    for name, target in pairs:
        if not _NAME.match(name):
            raise ValueError(f"bad host name to map: {name!r}")
        rules.append(f"MAP {name} {_loopback_target(target)}")
    rules.append("MAP * ~NOTFOUND")
    rules.extend(f"EXCLUDE {name}" for name in LOOPBACK_NAMES)
    return ", ".join(rules)


def chromium_args(map_hosts: HostMap = ()) -> list[str]:
    return [*CHROMIUM_ARGS, f"--host-resolver-rules={host_resolver_rules(map_hosts)}"]


def launch_chromium(playwright: Playwright, map_hosts: HostMap = ()) -> Browser:
    """A new headless Debian Chromium that only reaches loopback and the `map_hosts`."""
    executable = require_chromium()
    return playwright.chromium.launch(
        executable_path=str(executable),
        headless=True,
        args=chromium_args(map_hosts),
        timeout=60_000,
    )


@contextmanager
def new_page(browser: Browser, locale: str = DEFAULT_LOCALE) -> Iterator[Page]:
    """A page in a fresh context (no cookies, no storage) whose ``locale`` sets both
    ``navigator.language`` and the ``Accept-Language`` header; closed on exit."""
    context = browser.new_context(locale=locale)
    try:
        yield context.new_page()
    finally:
        context.close()


def _current_test() -> str:
    # "tests/integration/test_x.py::TestY::test_z[param] (call)"
    current = os.environ.get("PYTEST_CURRENT_TEST", "no-test")
    nodeid = current.rsplit(" ", 1)[0]
    path, _, rest = nodeid.partition("::")
    return f"{Path(path).stem}.{rest}" if rest else Path(path).stem


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "_"


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG as
    ``test-artifacts/screenshots/<test module>.<test name>--<name>.png``; returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{_safe(_current_test())}--{_safe(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# Module scope, not session: Playwright's sync API keeps an event loop running in the main
# thread while its driver lives, and every later test calling `asyncio.run()` would fail.
@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Playwright]:
    """The Playwright driver for one test module (skips when Chromium cannot be had)."""
    require_chromium()
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


@pytest.fixture(scope="module")
def chromium(playwright_driver: Playwright) -> Iterator[Browser]:
    """One loopback-only headless Chromium for the test module."""
    browser = launch_chromium(playwright_driver)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def chromium_launcher(playwright_driver: Playwright) -> Iterator[ChromiumLauncher]:
    """Launches extra browsers (e.g. with ``map_hosts``); all closed when the test ends."""
    launched: list[Browser] = []

    def launch(map_hosts: HostMap = ()) -> Browser:
        browser = launch_chromium(playwright_driver, map_hosts)
        launched.append(browser)
        return browser

    try:
        yield launch
    finally:
        for browser in launched:
            browser.close()


@pytest.fixture
def page_locale() -> str:
    """The `page` fixture's locale; override with
    ``@pytest.mark.parametrize("page_locale", ["fr-FR"])`` or a fixture of that name."""
    return DEFAULT_LOCALE


@pytest.fixture
def page(chromium: Browser, page_locale: str) -> Iterator[Page]:
    """A fresh context and page on the session browser, closed after the test."""
    with new_page(chromium, locale=page_locale) as fresh:
        yield fresh
