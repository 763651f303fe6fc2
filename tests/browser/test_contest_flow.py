"""A contest from end to end, in a real headless Chromium against a real `arret serve`, a
real Unbound pulling the feed and a real SMTP server (aiosmtpd): a visitor sent to the
notice page by a blocked name contests the block (the browser does the proof of work);
the authority logs in, reviews the queue and removes the name; the claimant's link shows
the outcome; Unbound stops blocking the name (the other name stays blocked); both e-mails
arrive; and nothing the claimant wrote is in a public page, a log leaf or the server's
output.

Every server runs on loopback ports chosen at run time; the packages are installed by the
test setup when missing (as root)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from support.authority import Authority, free_port
from support.browser import ChromiumLauncher, new_page, screenshot
from support.processes import Process, rcode, start_on_free_ports, wait_until
from support.resolvers import launch

pytest_plugins = ["support.browser"]

ARRET = str(Path(sys.executable).parent / "arret")
CONTESTED = "contested-site.example"
KEPT = "still-blocked.example"
AUTHORITY_MAIL = "clerk@authority.example"
CLAIMANT_MAIL = "owner-7f3e@claimant.example"
REASON = "This is my bakery's site, reason-marker-c41d; the order meant another site."
PDF = b"%PDF-1.4\n% proof of ownership\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DECISION = "The site is not the one the court named."


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


class Lab:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {**os.environ, "ARRET_DB": f"sqlite:///{folder / 'arret.db'}",
                    "ARRET_LOG_KEY": str(folder / "log.key")}  # fmt: skip
        self.closing: list[Any] = []
        self.http = self.dns = 0
        self.serve: Process | None = None

    def arret(self, *args: str) -> str:
        run = subprocess.run([ARRET, *args], env=self.env, capture_output=True, text=True,
                             cwd=self.folder)  # fmt: skip
        assert run.returncode == 0, (args, run.stdout, run.stderr)
        return run.stdout

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http}"

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            text: str = response.read().decode()
            return text


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    lab = Lab(tmp_path)
    yield lab
    for thing in reversed(lab.closing):
        thing.stop() if isinstance(thing, Process | Controller) else thing.close()


def test_a_contest_from_the_notice_page_unblocks_the_name_on_unbound(
    lab: Lab, chromium_launcher: ChromiumLauncher
) -> None:
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    lab.closing.append(smtp)

    lab.arret("init")
    lab.arret("operator", "add", "unb", "--allow-from", "127.0.0.0/8")
    lab.arret("order", "add", "--authority", "Tribunal judiciaire de Paris", "--decided",
              "2026-11-01", "--duration", "30d", "--operator", "unb", "--reference",
              "RG 26/777", CONTESTED, KEPT)  # fmt: skip
    token = lab.arret("token", "create", "--role", "authority", "--label", "clerk").split()[-1]

    def start(ports: tuple[int, ...]) -> Process:
        lab.dns, lab.http = ports
        return Process([ARRET, "serve", "--dns", f"127.0.0.1:{ports[0]}", "--http",
                        f"127.0.0.1:{ports[1]}", "--probe-every", "off", "--contest-work", "10",
                        "--smtp", f"smtp://127.0.0.1:{smtp.port}", "--mail-from",
                        "arret@registry.example", "--contest-mail", AUTHORITY_MAIL],
                       lab.folder / "serve.log", env=lab.env)  # fmt: skip

    lab.serve, _ = start_on_free_ports(
        2, start, lambda p: rcode(p[0], "unb.rpz.arret.", "SOA", 0.5) == "NOERROR", 30,
        "arret serve to answer",
    )  # fmt: skip
    lab.closing.append(lab.serve)
    snippet = lab.arret("operator", "config", "unb", "--resolver", "unbound", "--server",
                        f"127.0.0.1:{lab.dns}", "--dir", str(lab.folder))  # fmt: skip
    authority = Authority()
    lab.closing.append(authority)
    unbound = launch("unbound", snippet, lab.folder / "unbound", authority.port,
                     lambda port: rcode(port, CONTESTED, "A", 0.5) == "NXDOMAIN")  # fmt: skip
    lab.closing.extend(unbound.processes)
    lab.arret("operator", "edit", "unb", "--notify", f"127.0.0.1:{unbound.port}")
    assert rcode(unbound.port, KEPT) == "NXDOMAIN"

    browser = chromium_launcher(map_hosts={CONTESTED: f"127.0.0.1:{lab.http}"})
    # The visitor: sent to the notice page by the blocked name itself.
    with new_page(browser) as page:
        page.goto(f"http://{CONTESTED}/")
        assert page.locator("#notice h1").inner_text() == "This site is blocked by a legal order"
        # The browser works the proof out, then enables the button.
        page.wait_for_selector("#contest-submit:enabled", timeout=60_000)
        assert re.fullmatch(r"\d+", page.input_value("#pow-answer"))
        page.select_option("#standing", "owner")
        page.fill("#reason", REASON)
        page.fill("#contact", CLAIMANT_MAIL)
        page.set_input_files("#attachments", files=[
            {"name": "ownership.pdf", "mimeType": "application/pdf", "buffer": PDF},
        ])  # fmt: skip
        screenshot(page, "contest-form")
        page.click("#contest-submit")
        page.wait_for_selector("#receipt")
        screenshot(page, "contest-receipt")
        follow = page.locator("#follow-link").get_attribute("href")
        assert follow is not None and follow.startswith(f"{lab.url}/contests/follow/1/")

    # The authority: the queue, the contest, the decision.
    with new_page(browser) as page:
        page.goto(f"{lab.url}/login")
        page.fill("#token", token)
        page.locator("form[action='/login'] button[type=submit]").click()
        page.wait_for_load_state()
        page.goto(f"{lab.url}/contests")
        row = page.locator("#contests tr[data-contest='1']")
        assert row.locator(".name").inner_text() == CONTESTED
        assert "RG 26/777" in row.inner_text()
        row.locator("a").first.click()
        page.wait_for_url("**/contests/1")
        assert REASON in page.locator("#contest-reason").inner_text()
        assert "ownership.pdf" in page.locator("#review").inner_text()
        page.select_option("#outcome", "removed")
        page.fill("#decision-reason", DECISION)
        screenshot(page, "contest-decision")
        page.click("#decide")
        page.wait_for_url("**/contests/1")
        assert page.locator(".flash").inner_text() == "The decision was recorded."
        assert page.locator("#contest-state").get_attribute("data-state") == "removed"

    # The claimant's link shows the outcome.
    with new_page(browser, locale="fr-FR") as page:
        page.goto(follow)
        screenshot(page, "contest-outcome")
        assert page.locator("#contest-state").get_attribute("data-state") == "removed"
        assert page.locator("#contest-decision").inner_text() == DECISION

    # The name is no longer blocked on the resolver; the order's other name still is.
    wait_until(lambda: rcode(unbound.port, CONTESTED, "A", 0.5) == "NOERROR", 15,
               "Unbound to stop blocking the contested name")  # fmt: skip
    assert rcode(unbound.port, KEPT) == "NXDOMAIN"

    # Both e-mails arrive (the outbox is sent every 5 s).
    wait_until(lambda: len(inbox.messages) >= 2, 30, "the two e-mails")
    recipients = [to for to, _ in inbox.messages]
    assert recipients == [[AUTHORITY_MAIL], [CLAIMANT_MAIL]]
    assert DECISION in inbox.messages[1][1].get_payload()

    # Nothing the claimant wrote in public, in the log, or in the server's output.
    public = lab.get("/register") + lab.get("/register/1") + lab.get("/api/public/contests")
    leaves = json.loads(lab.get("/api/log/leaves?start=0&end=100"))["leaves"]
    logged = "\n".join(leaf["data"] for leaf in leaves)
    records = [json.loads(leaf["data"]) for leaf in leaves]
    assert [r["state"] for r in records if r.get("type") == "contest"] == ["received", "decided"]
    output = lab.serve.output()
    for mark in ("reason-marker-c41d", CLAIMANT_MAIL, "ownership.pdf", follow.rsplit("/", 1)[1]):
        assert mark not in public and mark not in logged and mark not in output, mark
    assert json.loads(lab.get("/api/public/contests"))["outcomes"]["removed"] == 1
    # The log with its contest leaves still verifies, from the database and from outside.
    lab.arret("log", "verify")
    lab.arret("log", "verify", "--server", lab.url)
