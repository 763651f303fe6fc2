"""The web UI's acceptance test, in a real headless Chromium, against `arret serve` started
as a new user starts it from the README (`make run` = `arret demo`, then `arret serve`),
on loopback ports chosen at run time and a temporary SQLite database.

One server and one browser for the module. The order the authority registers through the
form (`registered`) is shared by the tests that need it; every other test makes what it
needs itself, so any test can run alone (`-k`).
"""

from __future__ import annotations

import calendar
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from support.browser import ChromiumLauncher, new_page, screenshot
from support.processes import Process, start_on_free_ports

pytest_plugins = ["support.browser"]

ARRET = str(Path(sys.executable).parent / "arret")

#: The demo's 2021 case (`arret demo`).
DEMO_REFERENCE = "21-51823"
DEMO_SITE = "dossiers-labos.example"

#: The order the authority registers through the form.
REFERENCE = "RG 24/00042"
AUTHORITY = "Tribunal judiciaire de Paris"
MIRRORS = ("mirror-one.example", "mirror-two.example")
AMENDED = "mirror-three.example"
NOTICE = "Blocked by order RG 24/00042 of the Paris judicial court."

#: Untrusted text that must reach every page as text, never as markup.
XSS_NOTICE = "<script>window.pwned=1</script><b>x</b>"
XSS_REFERENCE = "<i>XSS</i> 24/666"
XSS_SITE = "xss-site.example"

#: What a visitor sends that the server must never write down.
VISITOR_IP = "203.0.113.77"
VISITOR_AGENT = "visitor-marker-6f1c2a"

TOKEN_LINE = re.compile(r"^\s+(authority|auditor|operator:[a-z0-9-]+)\s+(arret_\S+)\s*$")


@dataclass
class Server:
    """`arret serve` on free loopback ports over a database loaded by `arret demo`."""

    folder: Path
    env: dict[str, str]
    http: int
    dns: int
    tokens: dict[str, str]
    process: Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http}"

    def start(self) -> None:
        """On ports chosen now, and others if they are taken meanwhile."""

        def launch(ports: tuple[int, ...]) -> Process:
            self.http, self.dns = ports
            return Process(
                [ARRET, "serve", "--dns", f"127.0.0.1:{self.dns}", "--http",
                 f"127.0.0.1:{self.http}"],
                self.folder / "serve.log", cwd=self.folder, env=self.env,
            )  # fmt: skip

        self.process, _ = start_on_free_ports(
            2, launch, lambda _: self.request("GET", "/healthz")[0] == 200, 30,
            "arret serve to answer on /healthz",
        )  # fmt: skip

    def stop(self) -> str:
        """Stops the server (SIGTERM, by PID) and returns everything it printed."""
        assert self.process is not None
        self.process.stop()
        return self.process.output()

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data,
            method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def public_orders(self) -> list[dict[str, Any]]:
        status, _headers, text = self.request("GET", "/api/public/orders")
        assert status == 200, text
        orders: list[dict[str, Any]] = json.loads(text)
        return orders


#: Month names written out here, not taken from the locale data the pages use.
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
}  # fmt: skip


def readable(at: datetime, lang: str) -> str:
    """How a page shows an instant to a reader of `lang`: "4 March 2021, 00:00 UTC"."""
    return f"{at.day} {MONTHS[lang][at.month - 1]} {at.year}, {at:%H:%M} UTC"


def parse_tokens(output: str) -> dict[str, str]:
    """`role -> token` from the lines `arret demo` prints (`  authority   arret_...`)."""
    found = {}
    for line in output.splitlines():
        match = TOKEN_LINE.match(line)
        if match:
            found[match[1]] = match[2]
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("arret-serve")
    env = {**os.environ, "ARRET_DB": f"sqlite:///{folder / 'arret.db'}"}
    demo = subprocess.run(
        [ARRET, "demo", "--no-moving"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert demo.returncode == 0, demo.stderr
    tokens = parse_tokens(demo.stdout)
    assert {"authority", "auditor", "operator:orange", "operator:sfr"} <= set(tokens), demo.stdout
    s = Server(folder, env, http=0, dns=0, tokens=tokens)  # ports chosen by start()
    try:
        s.start()
        yield s
    finally:
        if s.process is not None:
            s.process.stop()


# --- helpers ------------------------------------------------------------------------------


def log_in(page: Page, server: Server, role: str) -> None:
    page.goto(f"{server.url}/login")
    page.fill("#token", server.tokens[role])
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#role").inner_text() == role


def log_out(page: Page) -> None:
    page.locator("form[action='/logout'] button[type=submit]").click()
    page.wait_for_url("**/register")
    assert page.locator("#role").count() == 0


def fill_order_form(page: Page, reference: str, targets: list[str]) -> None:
    page.fill("#reference", reference)
    page.fill("#authority", AUTHORITY)
    page.fill("#requester", "CNIL")
    page.fill("#decided_on", datetime.now(UTC).date().isoformat())
    page.fill("#duration", "18mo")
    page.fill("#targets", "\n".join(targets))
    page.check("input[name=operators][value=orange]")
    page.check("input[name=operators][value=sfr]")
    page.select_option("#action", "notice")
    page.fill("#notice", NOTICE)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Registered:
    id: int
    expires_at: str


@pytest.fixture(scope="module")
def registered(server: Server, chromium: Browser) -> Registered:
    """The authority logs in and registers an order through the form: two names, 18
    months, orange and sfr, a notice — and lands on the order's page."""
    with new_page(chromium) as page:
        log_in(page, server, "authority")
        screenshot(page, "authority-logged-in")
        page.get_by_role("link", name="Register an order").click()
        page.wait_for_url("**/orders/new")
        fill_order_form(page, REFERENCE, list(MIRRORS))
        screenshot(page, "order-form-filled")
        page.click("#register-order")
        page.wait_for_url(re.compile(r"/orders/\d+$"))
        screenshot(page, "order-registered")
        assert page.locator(".flash").inner_text() == "The order was registered."
        order_id = int(page.url.rsplit("/", 1)[1])
        assert REFERENCE in page.locator("h1").inner_text()
        names = page.locator("#targets td.name").all_inner_texts()
        assert sorted(names) == sorted(MIRRORS)
        return Registered(order_id, page.locator("#expires").inner_text().strip())


# --- the flows ----------------------------------------------------------------------------


def test_home_lands_on_the_public_register_with_the_2021_case(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/")
    assert page.url == f"{server.url}/register"
    screenshot(page, "public-register")
    row = page.locator("#register tbody tr", has_text=DEMO_REFERENCE)
    assert row.count() == 1
    assert DEMO_SITE in row.inner_text()
    assert page.locator("#role").count() == 0  # nobody is logged in


def test_authority_registers_lists_and_amends_an_order(
    page: Page, server: Server, registered: Registered
) -> None:
    log_in(page, server, "authority")
    page.goto(f"{server.url}/orders")
    screenshot(page, "orders-list")
    row = page.locator(f"#orders tr[data-order='{registered.id}']")
    assert row.count() == 1
    assert REFERENCE in row.inner_text()
    assert "orange, sfr" in row.inner_text()

    row.get_by_role("link", name=REFERENCE).click()
    page.wait_for_url(f"**/orders/{registered.id}")
    page.fill("#add", AMENDED)
    screenshot(page, "amend-filled")
    page.click("#amend")
    page.wait_for_url(f"**/orders/{registered.id}")
    screenshot(page, "amended")
    assert page.locator(".flash").inner_text() == "The order was amended."
    timeline = page.locator("#timeline")
    registered_entry = timeline.locator("li[data-kind=registered]")
    amended_entry = timeline.locator("li[data-kind=amended]")
    assert registered_entry.count() == 1 and amended_entry.count() == 1
    assert "registered" in registered_entry.inner_text()
    assert all(name in registered_entry.inner_text() for name in MIRRORS)
    assert "amended" in amended_entry.inner_text()
    assert AMENDED in amended_entry.inner_text()
    names = page.locator("#targets td.name").all_inner_texts()
    assert sorted(names) == sorted([*MIRRORS, AMENDED])

    # The public register shows it too, with its names.
    page.goto(f"{server.url}/register")
    public = page.locator(f"#register tr[data-order='{registered.id}']")
    assert all(name in public.inner_text() for name in [*MIRRORS, AMENDED])


def test_the_expiry_is_18_months_after_now(
    page: Page, server: Server, registered: Registered
) -> None:
    log_in(page, server, "authority")
    page.goto(f"{server.url}/orders/{registered.id}")
    screenshot(page, "order-expiry")
    shown = page.locator("#expires time").get_attribute("datetime") or ""
    match = re.match(r"^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}:\d{2}Z$", shown)
    assert match, f"#expires is {shown!r}"
    expires = date.fromisoformat(match[1])
    exact = datetime.fromisoformat(shown)
    assert page.locator("#expires").inner_text().strip() == readable(exact, "en")
    expected = add_months(datetime.now(UTC).date(), 18)
    # A day's leeway: the registration may have run just before midnight UTC.
    assert abs(expires - expected) <= timedelta(days=1), (shown, expected)


@pytest.mark.parametrize("suffix", ["co.uk", "fr"])
def test_a_public_suffix_is_refused_inline_and_nothing_is_registered(
    page: Page, server: Server, suffix: str
) -> None:
    before = server.public_orders()
    log_in(page, server, "authority")
    page.goto(f"{server.url}/orders/new")
    reference = f"PS/{suffix}"
    targets = ["suffix-test.example", suffix]
    fill_order_form(page, reference, targets)
    page.click("#register-order")
    page.wait_for_load_state()
    screenshot(page, f"public-suffix-{suffix}-refused")

    assert page.url == f"{server.url}/orders/new"
    assert page.locator("#form-errors").is_visible()
    errors = page.locator("#target-errors .field-error").all_inner_texts()
    # Named, and why: `co.uk` is a public suffix, `fr` a top-level name.
    why = "public suffix" if suffix == "co.uk" else "top-level name"
    assert any(e.startswith(f"'{suffix}'") and why in e for e in errors), errors
    assert not any("suffix-test.example" in e for e in errors), errors
    # What was typed is still there.
    assert page.input_value("#reference") == reference
    assert page.input_value("#authority") == AUTHORITY
    assert page.input_value("#targets").splitlines() == targets
    assert page.input_value("#duration") == "18mo"
    assert page.input_value("#notice") == NOTICE
    assert page.input_value("#action") == "notice"
    assert page.is_checked("input[name=operators][value=orange]")
    assert page.is_checked("input[name=operators][value=sfr]")
    assert not page.is_checked("input[name=operators][value=free]")
    # And nothing was registered.
    after = server.public_orders()
    assert len(after) == len(before)
    assert reference not in [o["reference"] for o in after]


def test_an_operator_sees_its_names_and_only_its_own_page(
    page: Page, server: Server, registered: Registered
) -> None:
    log_in(page, server, "authority")
    log_out(page)
    screenshot(page, "logged-out")
    log_in(page, server, "operator:orange")
    screenshot(page, "operator-logged-in")
    # Landing on its own page is checked by `test_an_operator_lands_on_its_own_page`.
    page.get_by_role("link", name="Operator page").click()
    page.wait_for_url("**/operators/orange")
    screenshot(page, "operator-orange")
    policy = page.locator("#policy td.name").all_inner_texts()
    assert set(MIRRORS) <= set(policy), policy
    assert page.locator("#serial").inner_text().strip().isdigit()

    response = page.goto(f"{server.url}/operators/sfr")
    assert response is not None
    screenshot(page, "operator-sfr-forbidden")
    assert response.status == 403
    assert "cannot read operator 'sfr'" in page.locator(".errors").inner_text()
    assert page.locator("#policy").count() == 0


def test_an_operator_lands_on_its_own_page(page: Page, server: Server) -> None:
    """The README: log in "with an `operator:orange` token to see what Orange must block"."""
    log_in(page, server, "operator:orange")
    screenshot(page, "operator-landing")
    assert page.url == f"{server.url}/operators/orange"


def test_the_notice_page_for_a_blocked_name_in_english_and_french(
    server: Server, registered: Registered, chromium_launcher: ChromiumLauncher
) -> None:
    target = f"127.0.0.1:{server.http}"
    browser = chromium_launcher(
        map_hosts={MIRRORS[0]: target, f"www.{MIRRORS[0]}": target, "unrelated.example": target}
    )
    _status, _headers, text = server.request("GET", f"/api/public/orders/{registered.id}")
    order = json.loads(text)
    until = datetime.fromisoformat(order["expires_at"].replace("Z", "+00:00"))

    with new_page(browser) as page:
        page.goto(f"http://{MIRRORS[0]}/")
        screenshot(page, "notice-en")
        assert page.locator("#notice h1").inner_text() == "This site is blocked by a legal order"
        assert page.locator(".reference").inner_text() == REFERENCE
        assert page.locator(".authority").inner_text() == AUTHORITY
        assert page.locator(".until").inner_text() == readable(until, "en")
        # The exact instant stays in the page, for machines and on hover.
        exact = until.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert page.locator(".until time").get_attribute("datetime") == exact
        assert page.locator(".until time").get_attribute("title") == exact
        assert page.locator(".notice-text").inner_text() == NOTICE
        # Whatever the path, and below the name too (the order blocks the subtree).
        page.goto(f"http://www.{MIRRORS[0]}/some/deep/path?x=1")
        screenshot(page, "notice-en-subdomain")
        assert page.locator(".reference").inner_text() == REFERENCE

    with new_page(browser, locale="fr-FR") as page:
        page.goto(f"http://{MIRRORS[0]}/")
        screenshot(page, "notice-fr")
        title = "Ce site est bloqué par une décision de justice"
        assert page.locator("#notice h1").inner_text() == title
        assert page.title().startswith(title)
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.locator(".reference").inner_text() == REFERENCE
        assert page.locator(".until").inner_text() == readable(until, "fr")

    with new_page(browser) as page:
        page.goto(f"{server.url}/notice?name=unrelated.example")
        screenshot(page, "notice-not-blocked")
        assert page.locator("#not-blocked").inner_text() == "This name is not blocked"
        assert page.locator("#notice").count() == 0
        # A name nothing blocks, reaching the server by its Host: not blocked either.
        page.goto("http://unrelated.example/")
        screenshot(page, "notice-not-blocked-by-host")
        assert page.locator("#not-blocked").count() == 1


def test_untrusted_text_is_shown_as_text_never_run(page: Page, server: Server) -> None:
    status, _headers, text = server.request(
        "POST",
        "/api/orders",
        {
            "reference": XSS_REFERENCE,
            "authority": AUTHORITY,
            "decided_on": datetime.now(UTC).date().isoformat(),
            "duration": "1y",
            "operators": ["orange"],
            "targets": [{"name": XSS_SITE}],
            "action": "notice",
            "notice": XSS_NOTICE,
        },
        {"Authorization": f"Bearer {server.tokens['authority']}"},
    )
    assert status == 201, text
    order_id = json.loads(text)["id"]

    def assert_inert(where: str) -> None:
        assert page.evaluate("typeof window.pwned") == "undefined", where
        assert page.locator("main b, main i, main script").count() == 0, where

    page.goto(f"{server.url}/register")
    screenshot(page, "xss-register")
    assert_inert("/register")
    row = page.locator(f"#register tr[data-order='{order_id}']")
    assert XSS_REFERENCE in row.inner_text()

    page.goto(f"{server.url}/register/{order_id}")
    screenshot(page, "xss-public-order")
    assert_inert("/register/ID")
    assert XSS_REFERENCE in page.locator("h1").inner_text()
    assert page.get_by_text(XSS_NOTICE, exact=True).is_visible()
    assert XSS_REFERENCE in page.title()

    page.goto(f"{server.url}/notice?name={XSS_SITE}")
    screenshot(page, "xss-notice")
    assert_inert("/notice")
    assert page.locator(".reference").inner_text() == XSS_REFERENCE
    assert page.locator(".notice-text").inner_text() == XSS_NOTICE

    log_in(page, server, "authority")
    page.goto(f"{server.url}/orders/{order_id}")
    screenshot(page, "xss-order-authority")
    assert_inert("/orders/ID")
    assert page.get_by_text(XSS_NOTICE, exact=True).is_visible()


def test_documents_are_attached_in_the_browser_and_offered_by_the_register(
    page: Page, server: Server, tmp_path: Path
) -> None:
    """The authority attaches the decision from an order's page (the form, its CSRF token,
    a real multipart upload); HTML dressed as a PDF is refused inline. The register then
    offers a public order's document for download, and shows a confidential one's digest
    only."""
    import hashlib

    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n"
    digest = hashlib.sha256(pdf).hexdigest()
    (tmp_path / "ordonnance.pdf").write_bytes(pdf)
    (tmp_path / "page.pdf").write_bytes(b"<html><script>window.pwned=1</script></html>")
    authority = {"Authorization": f"Bearer {server.tokens['authority']}"}
    secret = {
        "reference": "RG 24/00077", "authority": AUTHORITY,
        "decided_on": datetime.now(UTC).date().isoformat(), "duration": "18mo",
        "targets": [{"name": "secret-browser.example"}], "operators": ["orange"],
        "confidential": True,
    }  # fmt: skip
    status, _headers, text = server.request("POST", "/api/orders", secret, authority)
    assert status == 201, text
    secret_id = json.loads(text)["id"]

    log_in(page, server, "authority")
    for order in (1, secret_id):
        page.goto(f"{server.url}/orders/{order}")
        page.set_input_files("#document-file", str(tmp_path / "page.pdf"))
        page.select_option("#document-kind", "decision")
        page.click("#attach")
        page.wait_for_load_state()
        assert "HTML or other markup" in page.locator("#document-form .errors").inner_text()
        page.set_input_files("#document-file", str(tmp_path / "ordonnance.pdf"))
        page.click("#attach")
        page.wait_for_url(f"**/orders/{order}#documents")
        assert page.locator(".flash").inner_text() == "The document was attached."
        assert digest in page.locator("#documents-list").inner_text()
    screenshot(page, "document-attached")
    log_out(page)

    page.goto(f"{server.url}/register/1")
    screenshot(page, "register-documents")
    link = page.locator(f"#documents-list a[href='/register/1/documents/{digest}']")
    assert link.count() == 1
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == pdf
    assert page.evaluate("window.pwned") is None

    page.goto(f"{server.url}/register/{secret_id}")
    screenshot(page, "register-confidential-documents")
    assert digest in page.locator("#documents-list").inner_text()
    assert page.locator("#documents-list a").count() == 0
    assert "secret-browser.example" not in page.content()


def test_the_notice_page_keeps_nothing_about_the_visitor(server: Server) -> None:
    """Runs last: it stops the server to read everything it wrote."""
    # A visitor sent by a resolver (blocked name in Host), and one asking by name.
    for path, host in [("/", "dossiers-labos.example"), (f"/notice?name={XSS_SITE}", None)]:
        headers = {"X-Forwarded-For": VISITOR_IP, "User-Agent": VISITOR_AGENT}
        if host:
            headers["Host"] = host
        status, response_headers, body = server.request("GET", path, headers=headers)
        assert status == 200, body
        assert "set-cookie" not in {k.lower() for k in response_headers}, response_headers
        assert VISITOR_IP not in body
    # Something that fails, too: an error path must not log the visitor either.
    status, _h, _b = server.request(
        "GET", "/notice?name=" + "x" * 2000, headers={"X-Forwarded-For": VISITOR_IP}
    )
    assert status == 422

    log = server.stop()
    assert "arret: web UI on" in log, log  # the log was captured
    assert VISITOR_IP not in log, log
    assert VISITOR_AGENT not in log, log
