"""The moving demo as a newcomer sees it, in a real headless Chromium: `arret demo` (the
present-day orders included), then `arret serve` now, and again with its clock five
minutes ahead (ARRET_CLOCK_OFFSET) — by then the mirror has been added and the short order
has expired by itself, with nobody acting, and every page says so."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from support.browser import ChromiumLauncher, new_page, screenshot
from support.processes import Process, start_on_free_ports

pytest_plugins = ["support.browser"]

ARRET = str(Path(sys.executable).parent / "arret")

#: The present-day demo's names (`arret.services.demo`), written out here.
SITE = "fuite-sante-demo.example"
MIRROR = "fuite-sante-demo-miroir.example"
SHORT = "ephemere-demo.example"
#: How far ahead the second server runs: past the mirror (1 min) and the short order's end
#: (4 min).
AHEAD = "+5min"

TOKEN_LINE = re.compile(r"^\s+(authority|auditor|operator:[a-z0-9-]+)\s+(arret_\S+)\s*$")


@dataclass
class Served:
    url: str
    http: int
    process: Process

    def json(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.loads(response.read())


@dataclass
class Demo:
    folder: Path
    env: dict[str, str]
    tokens: dict[str, str]
    #: When `arret demo` started (monotonic): the mirror comes a minute after it.
    started: float

    @contextmanager
    def serve(self, offset: str | None) -> Iterator[Served]:
        env = dict(self.env)
        if offset is not None:
            env["ARRET_CLOCK_OFFSET"] = offset

        def launch(ports: tuple[int, ...]) -> Process:
            http, dns = ports
            return Process(
                [ARRET, "serve", "--dns", f"127.0.0.1:{dns}", "--http", f"127.0.0.1:{http}"],
                self.folder / f"serve-{offset or 'now'}.log", cwd=self.folder, env=env,
            )  # fmt: skip

        def ready(ports: tuple[int, ...]) -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{ports[0]}/healthz", timeout=2):
                    return True
            except OSError:
                return False

        process, ports = start_on_free_ports(2, launch, ready, 30, "arret serve on /healthz")
        try:
            yield Served(f"http://127.0.0.1:{ports[0]}", ports[0], process)
        finally:
            process.stop()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    folder = tmp_path_factory.mktemp("arret-demo-ahead")
    env = {**os.environ, "ARRET_DB": f"sqlite:///{folder / 'arret.db'}"}
    env.pop("ARRET_CLOCK_OFFSET", None)
    started = time.monotonic()
    loaded = subprocess.run(
        [ARRET, "demo"], cwd=folder, env=env, capture_output=True, text=True, timeout=60
    )
    assert loaded.returncode == 0, loaded.stderr
    assert f"mirror {MIRROR} added from" in loaded.stdout, loaded.stdout
    tokens = {m[1]: m[2] for m in map(TOKEN_LINE.match, loaded.stdout.splitlines()) if m}
    assert "operator:orange" in tokens, loaded.stdout
    return Demo(folder, env, tokens, started)


def present_orders(served: Served) -> dict[str, dict[str, Any]]:
    """The present-day orders by site: `SITE` (with its mirror) and `SHORT`."""
    found = {}
    for order in served.json("/api/public/orders"):
        if order["reference"].startswith("DEMO-"):
            site = SITE if order["reference"].endswith("-1") else SHORT
            found[site] = order
    assert set(found) == {SITE, SHORT}, found
    return found


def status_of(page: Page, order_id: int) -> str:
    cell = page.locator(f"#register tr[data-order='{order_id}'] td.status")
    classes = cell.get_attribute("class") or ""
    return classes.split("status-", 1)[1]


def notice(browser: Browser, name: str) -> str:
    """What the notice page says to a visitor the resolvers sent for `name`."""
    with new_page(browser) as page:
        page.goto(f"http://{name}/")
        screenshot(page, f"notice-{name}")
        if page.locator("#notice").count():
            return "blocked"
        assert page.locator("#not-blocked").count() == 1
        return "not blocked"


def log_in(page: Page, served: Served, token: str) -> None:
    page.goto(f"{served.url}/login")
    page.fill("#token", token)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state()


def test_now_the_short_order_is_in_force_and_the_mirror_still_to_come(
    demo: Demo, chromium_launcher: ChromiumLauncher
) -> None:
    with demo.serve(None) as served:
        target = f"127.0.0.1:{served.http}"
        browser = chromium_launcher(map_hosts={SITE: target, MIRROR: target, SHORT: target})
        orders = present_orders(served)
        with new_page(browser) as page:
            page.goto(f"{served.url}/register")
            screenshot(page, "register-now")
            assert status_of(page, orders[SITE]["id"]) == "in-force"
            assert status_of(page, orders[SHORT]["id"]) == "in-force"
        assert notice(browser, SITE) == "blocked"
        assert notice(browser, SHORT) == "blocked"
        # The mirror takes effect a minute after the demo was loaded.
        assert time.monotonic() - demo.started < 55, "too slow to see the demo before 1 min"
        assert notice(browser, MIRROR) == "not blocked"


def test_five_minutes_ahead_the_mirror_is_blocked_and_the_short_order_has_expired(
    demo: Demo, chromium_launcher: ChromiumLauncher
) -> None:
    with demo.serve(AHEAD) as served:
        assert "moved by +300 s" in served.process.output()
        now = datetime.fromisoformat(served.json("/healthz")["time"].replace("Z", "+00:00"))
        target = f"127.0.0.1:{served.http}"
        browser = chromium_launcher(map_hosts={SITE: target, MIRROR: target, SHORT: target})
        orders = present_orders(served)
        main, short = orders[SITE], orders[SHORT]
        expired_at = datetime.fromisoformat(short["expires_at"].replace("Z", "+00:00"))
        assert expired_at < now  # the server's clock is ahead of the short order's end

        with new_page(browser) as page:
            page.goto(f"{served.url}/register")
            screenshot(page, "register-ahead")
            assert status_of(page, main["id"]) == "in-force"
            assert status_of(page, short["id"]) == "expired"
            row = page.locator(f"#register tr[data-order='{main['id']}']")
            assert MIRROR in row.inner_text()

            # The present-day order's page: the mirror among its names and on its timeline.
            row.get_by_role("link", name=main["reference"]).click()
            page.wait_for_url(f"**/register/{main['id']}")
            screenshot(page, "present-order-ahead")
            assert MIRROR in page.locator("#names").inner_text()
            amended = page.locator("#timeline li[data-kind=amended]")
            assert amended.count() == 1 and MIRROR in amended.inner_text()

            # The short order's page: expired, at its end, on the timeline too.
            page.goto(f"{served.url}/register/{short['id']}")
            screenshot(page, "short-order-expired")
            assert "status-expired" in (page.locator("#status").get_attribute("class") or "")
            exact = expired_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            assert page.locator("#expires time").get_attribute("datetime") == exact
            expired = page.locator("#timeline li[data-kind=expired]")
            assert expired.count() == 1
            assert expired.locator("time").get_attribute("datetime") == exact

            # Searching the mirror's name tells which order covers it.
            page.goto(f"{served.url}/register")
            page.fill("#search-name", f"www.{MIRROR}")
            page.locator("#search button[type=submit]").click()
            page.wait_for_url("**/register?name=*")
            screenshot(page, "search-mirror")
            covering = page.locator("#covering tbody tr")
            assert covering.count() == 1
            assert covering.get_attribute("data-order") == str(main["id"])
            assert MIRROR in covering.locator("td.target").inner_text()

            # Orange's own page: what its resolvers must block now.
            log_in(page, served, demo.tokens["operator:orange"])
            page.goto(f"{served.url}/operators/orange")
            screenshot(page, "operator-orange-ahead")
            policy = page.locator("#policy td.name").all_inner_texts()
            assert SITE in policy and MIRROR in policy
            assert SHORT not in policy

        assert notice(browser, MIRROR) == "blocked"
        assert notice(browser, SHORT) == "not blocked"
        assert notice(browser, SITE) == "blocked"
