"""The browser support gives a real Debian Chromium that reaches loopback only, with
locale, screenshots and blocked names mapped onto the local server."""

from __future__ import annotations

import html
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Browser, Error, Page, Playwright
from support import browser as browser_support
from support.browser import (
    ChromiumLauncher,
    host_resolver_rules,
    launch_chromium,
    new_page,
    require_chromium,
    screenshot,
)

pytest_plugins = ["support.browser"]

BLOCKED = "dossiers-labos.example"


@dataclass
class Seen:
    method: str
    path: str
    host: str
    accept_language: str


@dataclass
class EchoServer:
    """Answers every GET with the Host and Accept-Language it received and a form; the
    form's button POSTs back and gets a result page."""

    port: int
    seen: list[Seen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def hosts(self) -> list[str]:
        return [request.host for request in self.seen]


def _handler(server: EchoServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> tuple[str, str]:
            host = self.headers.get("Host", "")
            language = self.headers.get("Accept-Language", "")
            server.seen.append(Seen(self.command, self.path, host, language))
            return html.escape(host), html.escape(language)

        def _send(self, body: str) -> None:
            data = f"<!doctype html><html><body>{body}</body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/favicon.ico":
                self.send_error(404)
                return
            host, language = self._record()
            self._send(
                f'<h1>Echo</h1><p id="host">{host}</p><p id="language">{language}</p>'
                '<form method="post" action="/clicked">'
                '<input type="hidden" name="what" value="bouton">'
                '<button id="go" type="submit">Go</button></form>'
            )

        def do_POST(self) -> None:
            host, _ = self._record()
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            what = html.escape(form.get("what", ["?"])[0])
            self._send(f'<p id="result">clicked {what} on {host}</p>')

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def echo_server() -> Iterator[EchoServer]:
    echo = EchoServer(port=0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(echo))  # the kernel picks
    echo.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield echo
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_load_click_and_screenshot(page: Page, echo_server: EchoServer) -> None:
    page.goto(echo_server.url)
    assert page.text_content("#host") == f"127.0.0.1:{echo_server.port}"
    page.click("#go")
    page.wait_for_url(f"{echo_server.url}clicked")
    assert page.text_content("#result") == f"clicked bouton on 127.0.0.1:{echo_server.port}"
    assert [(r.method, r.path) for r in echo_server.seen] == [("GET", "/"), ("POST", "/clicked")]

    path = screenshot(page, "after click")
    assert path.name == "test_browser_support.test_load_click_and_screenshot--after_click.png"
    assert path.is_file()
    data = path.read_bytes()
    assert len(data) > 100
    assert data.startswith(b"\x89PNG\r\n\x1a\n")


def test_localhost_is_reachable(page: Page, echo_server: EchoServer) -> None:
    page.goto(f"http://localhost:{echo_server.port}/")
    assert page.text_content("#host") == f"localhost:{echo_server.port}"


@pytest.mark.parametrize("page_locale", ["fr-FR"])
def test_page_locale_sets_accept_language(page: Page, echo_server: EchoServer) -> None:
    page.goto(echo_server.url)
    assert echo_server.seen[0].accept_language.startswith("fr")
    assert page.evaluate("navigator.language") == "fr-FR"


def test_new_page_locale(chromium: Browser, echo_server: EchoServer) -> None:
    with new_page(chromium, locale="fr-FR") as french, new_page(chromium) as default:
        french.goto(echo_server.url)
        default.goto(echo_server.url)
    languages = [request.accept_language for request in echo_server.seen]
    assert languages[0].startswith("fr")
    assert languages[1].startswith("en")


@pytest.mark.parametrize(
    "url",
    [
        f"http://{BLOCKED}:{{port}}/",  # a name: no DNS query, fails at once
        "http://192.0.2.1:{port}/",  # an IP literal that is not loopback
        "http://127.0.0.2:{port}/",  # only 127.0.0.1 itself is let through
        "https://example.com/",
    ],
)
def test_everything_but_loopback_fails(page: Page, echo_server: EchoServer, url: str) -> None:
    # Fetches from a loopback page are held to the same rules.
    page.goto(echo_server.url)
    outcome = page.evaluate(
        "url => fetch(url, {mode: 'no-cors'}).then(() => 'reached', e => 'failed: ' + e)",
        url.format(port=echo_server.port),
    )
    assert outcome.startswith("failed")
    # Last: after a failed goto Chromium commits chrome-error://chromewebdata/, which
    # interrupts a goto issued right after it.
    with pytest.raises(Error, match="ERR_NAME_NOT_RESOLVED"):
        page.goto(url.format(port=echo_server.port), timeout=10_000)
    assert echo_server.hosts() == [f"127.0.0.1:{echo_server.port}"]


def test_mapped_host_reaches_local_server_with_its_host_header(
    chromium_launcher: ChromiumLauncher, echo_server: EchoServer
) -> None:
    browser = chromium_launcher(map_hosts=[BLOCKED])
    with new_page(browser, locale="fr-FR") as page:
        page.goto(f"http://{BLOCKED}:{echo_server.port}/")
        assert page.text_content("#host") == f"{BLOCKED}:{echo_server.port}"
        page.click("#go")
        assert page.text_content("#result") == f"clicked bouton on {BLOCKED}:{echo_server.port}"
        screenshot(page, "mapped host")
        with pytest.raises(Error, match="ERR_NAME_NOT_RESOLVED"):
            page.goto(f"http://other.example:{echo_server.port}/", timeout=10_000)
    assert echo_server.hosts() == [f"{BLOCKED}:{echo_server.port}"] * 2


def test_mapped_host_with_port_sends_bare_host_header(
    chromium_launcher: ChromiumLauncher, echo_server: EchoServer
) -> None:
    browser = chromium_launcher(map_hosts={BLOCKED: f"127.0.0.1:{echo_server.port}"})
    with new_page(browser) as page:
        page.goto(f"http://{BLOCKED}/")  # port 80 in the URL, the local port in fact
        assert page.text_content("#host") == BLOCKED
    assert echo_server.hosts() == [BLOCKED]


def test_host_resolver_rules_refuse_non_loopback_targets() -> None:
    assert host_resolver_rules([BLOCKED]) == (
        f"MAP {BLOCKED} 127.0.0.1, MAP * ~NOTFOUND, "
        "EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE ::1"
    )
    with pytest.raises(ValueError, match="not a loopback"):
        host_resolver_rules({BLOCKED: "192.0.2.1"})
    with pytest.raises(ValueError, match="not a loopback"):
        host_resolver_rules({BLOCKED: "example.com:80"})
    with pytest.raises(ValueError, match="bad host name"):
        host_resolver_rules(["a.example, MAP * 192.0.2.1"])


def test_launch_is_quick(playwright_driver: Playwright) -> None:
    start = time.monotonic()
    browser = launch_chromium(playwright_driver)
    try:
        elapsed = time.monotonic() - start
        assert browser.version.split(".")[0].isdigit()
    finally:
        browser.close()
    assert elapsed < 30, f"launching Chromium took {elapsed:.1f} s"


def test_missing_chromium_skips_only_when_it_cannot_be_installed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(browser_support, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.setattr(browser_support, "is_root", lambda: False)
    with pytest.raises(pytest.skip.Exception, match="not root, so not installed"):
        require_chromium()
    monkeypatch.setattr(browser_support, "is_root", lambda: True)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.skip.Exception, match="no apt-get"):
        require_chromium()
