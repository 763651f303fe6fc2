"""The web UI without a browser: forms, CSRF, the session cookie, escaping, languages,
plan-then-apply. (The same flows in a real Chromium: tests/browser/.)"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support.website import Site, make_site, order_body

from arret.web import i18n, pow

TEMPLATES = Path(__file__).resolve().parents[2] / "src/arret/web/templates"


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(f"sqlite:///{tmp_path / 'arret.db'}", confirm_above=3)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, "every form carries a CSRF token"
    return found.group(1)


def login(site: Site, role: str) -> str:
    csrf = csrf_of(site.client.get("/login").text)
    r = site.client.post("/login", data={"token": site.tokens[role], "csrf": csrf})
    assert r.status_code == 303, r.text
    return csrf_of(site.client.get("/orders/new" if role == "authority" else "/orders").text)


def pow_hash() -> str:
    return base64.b64encode(hashlib.sha256(pow.SCRIPT.encode()).digest()).decode()


class Texts(HTMLParser):
    """The text of elements by id, as a reader sees it (entities decoded)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.by_id: dict[str, str] = {}
        self.scripts = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        if tag in ("br", "input", "meta", "img", "hr", "link"):
            return
        self.stack.append(dict(attrs).get("id"))

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("br", "input", "meta", "img", "hr", "link") and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            if element:
                self.by_id[element] = self.by_id.get(element, "") + data


FORM = {
    "reference": "RG 26/00077",
    "authority": "Tribunal judiciaire de Paris",
    "decided_on": "2026-11-27",
    "duration": "18mo",
    "targets": "leak.example\nleak-mirror.example",
    "operators": ["orange", "sfr"],
    "action": "notice",
    "notice": "Blocked by order RG 26/00077.",
}


def test_login_needs_the_csrf_token_and_sets_a_safe_session_cookie(site: Site) -> None:
    page = site.client.get("/login")
    r = site.client.post("/login", data={"token": site.tokens["authority"], "csrf": "forged"})
    assert r.status_code == 403
    assert "CSRF" in r.text
    r = site.client.post("/login", data={"token": "arret_wrong", "csrf": csrf_of(page.text)})
    assert r.status_code == 401 and "unknown token" in r.text
    r = site.client.post(
        "/login", data={"token": site.tokens["authority"], "csrf": csrf_of(page.text)}
    )
    assert r.status_code == 303 and r.headers["location"] == "/orders"
    cookie = r.headers["set-cookie"].lower()
    assert "arret_session=" in cookie
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert site.tokens["authority"].lower() not in cookie  # the token id, never the token


def test_login_never_redirects_off_site(site: Site) -> None:
    csrf = csrf_of(site.client.get("/login").text)
    r = site.client.post("/login", data={
        "token": site.tokens["auditor"], "csrf": csrf, "next": "//evil.example/x"})  # fmt: skip
    assert r.headers["location"] == "/orders"


def test_registering_through_the_form(site: Site) -> None:
    csrf = login(site, "authority")
    r = site.client.post("/orders/new", data=FORM | {"csrf": csrf})
    assert r.status_code == 303
    order_page = site.client.get(r.headers["location"])
    texts = Texts(order_page.text).by_id
    assert "leak.example" in texts["targets"] and "leak-mirror.example" in texts["targets"]
    assert "28 May 2028" in texts["expires"]
    assert '<td id="expires"><time datetime="2028-05-28T' in order_page.text
    assert "The order was registered." in order_page.text
    listed = Texts(site.client.get("/orders").text).by_id["orders"]
    assert "RG 26/00077" in listed


def test_an_rpz_trigger_is_named_inline_and_nothing_is_registered(site: Site) -> None:
    csrf = login(site, "authority")
    before = len(site.get("/api/public/orders").json())
    bad = FORM | {"csrf": csrf, "targets": "leak.example\n32.1.2.0.192.rpz-ip\nleak.onion"}
    r = site.client.post("/orders/new", data=bad)
    assert r.status_code == 422
    errors = Texts(r.text).by_id["target-errors"]
    assert "'32.1.2.0.192.rpz-ip'" in errors and "rpz-" in errors
    assert "'leak.onion'" in errors and "special-use" in errors
    assert len(site.get("/api/public/orders").json()) == before


def test_a_form_post_without_the_csrf_token_changes_nothing(site: Site) -> None:
    login(site, "authority")
    before = len(site.get("/api/public/orders").json())
    r = site.client.post("/orders/new", data=FORM)
    assert r.status_code == 403
    r = site.client.post("/orders/1/lift", data={"reason": "x", "csrf": "guess"})
    assert r.status_code == 403
    assert len(site.get("/api/public/orders").json()) == before


def test_a_public_suffix_is_named_inline_and_what_was_typed_is_kept(site: Site) -> None:
    csrf = login(site, "authority")
    before = len(site.get("/api/public/orders").json())
    bad = FORM | {"csrf": csrf, "targets": "leak.example\nco.uk", "operators": ["orange", "nope"]}
    r = site.client.post("/orders/new", data=bad)
    assert r.status_code == 422
    texts = Texts(r.text).by_id
    assert "'co.uk'" in texts["target-errors"] and "public suffix" in texts["target-errors"]
    assert "nope" in texts["form-errors"]
    assert "leak.example\nco.uk" in texts["targets"]  # the textarea keeps what was typed
    assert 'value="RG 26/00077"' in r.text
    assert re.search(r'value="orange"\s+checked', r.text)
    assert len(site.get("/api/public/orders").json()) == before


def test_a_large_registration_is_planned_then_applied_on_confirmation(site: Site) -> None:
    csrf = login(site, "authority")
    before = len(site.get("/api/public/orders").json())
    many = "\n".join(f"site{i}.example" for i in range(5))
    r = site.client.post("/orders/new", data=FORM | {"csrf": csrf, "targets": many})
    assert r.status_code == 200
    plan = Texts(r.text).by_id["plan-adds"].split()
    assert plan == sorted(f"site{i}.example" for i in range(5))
    assert len(site.get("/api/public/orders").json()) == before  # nothing yet
    confirm = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', r.text))
    confirm["operators"] = ["orange", "sfr"]
    assert confirm["confirm"] == "1"
    r = site.client.post("/orders/new", data=confirm)
    assert r.status_code == 303
    assert len(site.get("/api/public/orders").json()) == before + 1


def test_an_amendment_removing_many_names_is_planned_first(site: Site) -> None:
    body = order_body(targets=[{"name": f"n{i}.example"} for i in range(6)])
    order_id = site.post("/api/orders?confirm=true", "authority", json=body).json()["id"]
    csrf = login(site, "authority")
    remove = "\n".join(f"n{i}.example" for i in range(5))
    r = site.client.post(f"/orders/{order_id}/amend", data={"csrf": csrf, "remove": remove})
    assert r.status_code == 200
    assert Texts(r.text).by_id["plan-removes"].split() == [f"n{i}.example" for i in range(5)]
    assert len(site.get(f"/api/orders/{order_id}", "auditor").json()["history"]) == 1
    r = site.client.post(f"/orders/{order_id}/amend",
                         data={"csrf": csrf, "remove": remove, "confirm": "1"})  # fmt: skip
    assert r.status_code == 303
    history = site.get(f"/api/orders/{order_id}", "auditor").json()["history"]
    assert [h["kind"] for h in history] == ["order.registered", "order.amended"]


def test_an_orders_page_lists_its_targets_a_page_at_a_time(site: Site) -> None:
    body = order_body(targets=[{"name": f"p{i:04d}.example"} for i in range(1001)])
    order_id = site.post("/api/orders?confirm=true", "authority", json=body).json()["id"]
    login(site, "authority")
    first = site.client.get(f"/orders/{order_id}").text
    names = re.findall(r'<td class="name">([^<]*)</td>', first)
    assert len(names) == 1000 and names[0] == "p0000.example"
    assert "1000 / 1001" in Texts(first).by_id["targets-pages"]
    link = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert link is not None
    second = site.client.get(html.unescape(link.group(1))).text
    assert re.findall(r'<td class="name">([^<]*)</td>', second) == ["p1000.example"]
    assert 'rel="next"' not in second
    assert site.client.get(f"/orders/{order_id}?after=-1").status_code == 422


def test_the_register_pages_a_long_orders_names_and_caps_its_timeline(site: Site) -> None:
    body = order_body(targets=[{"name": f"r{i:04d}.example"} for i in range(1150)])
    order_id = site.post("/api/orders?confirm=true", "authority", json=body).json()["id"]
    first = site.client.get(f"/register/{order_id}").text
    names = Texts(first).by_id["names"]
    assert "r0999.example" in names and "r1000.example" not in names
    timeline = Texts(first).by_id["timeline"]
    assert "r0099.example" in timeline and "r0100.example" not in timeline
    assert "1150" in timeline
    link = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert link is not None
    second = site.client.get(html.unescape(link.group(1))).text
    assert "r1149.example" in Texts(second).by_id["names"]
    assert 'rel="next"' not in second.split('id="names"')[1].split("</td>")[0]
    assert site.client.get(f"/register/{order_id}?after=-1").status_code == 422


def test_amend_and_lift_errors_are_shown_on_the_order_page(site: Site) -> None:
    order_id = site.post("/api/orders?confirm=true", "authority", json=order_body()).json()["id"]
    csrf = login(site, "authority")
    r = site.client.post(f"/orders/{order_id}/amend", data={"csrf": csrf, "add": "gouv.fr"})
    assert r.status_code == 422 and "gouv.fr" in r.text and "public suffix" in r.text
    assert ">gouv.fr</textarea>" in r.text
    r = site.client.post(f"/orders/{order_id}/lift", data={"csrf": csrf, "reason": " "})
    assert r.status_code == 422 and "reason" in r.text
    r = site.client.post(f"/orders/{order_id}/lift", data={"csrf": csrf, "reason": "appeal"})
    assert r.status_code == 303
    page = Texts(site.client.get(f"/orders/{order_id}").text).by_id
    assert "lifted" in page["status"]
    assert "appeal" in page["timeline"]


def test_untrusted_text_is_escaped_on_every_page(site: Site) -> None:
    hostile = "<script>window.pwned=1</script><b>x</b>"
    body = order_body(reference="<i>R</i>", notice=hostile, legal_basis=hostile)
    order_id = site.post("/api/orders?confirm=true", "authority", json=body).json()["id"]
    login(site, "auditor")
    pages = [
        "/register",
        f"/register/{order_id}",
        "/notice?name=leak.example",
        "/orders",
        f"/orders/{order_id}",
        "/operators/orange",
        "/notice?name=%3Cscript%3E",
    ]
    # The notice page of a blocked name carries one script, ours: the contest form's proof
    # of work, allowed by its hash alone. Nothing else runs on any page.
    ours = f"<script>{pow.SCRIPT}</script>"
    for path in pages:
        html = site.client.get(path).text
        assert (ours in html) == (path == "/notice?name=leak.example"), path
        html = html.replace(ours, "")
        assert "<script>" not in html and "<i>R</i>" not in html, path
        assert Texts(html).scripts == 0, path
    assert (
        "&lt;script&gt;window.pwned=1&lt;/script&gt;"
        in site.client.get(f"/register/{order_id}").text
    )


def test_the_notice_page_for_a_blocked_host_in_each_language(site: Site) -> None:
    site.post("/api/orders?confirm=true", "authority", json=order_body(action="notice"))
    site.client.cookies.clear()
    r = site.client.get("/any/path", headers={"Host": "www.leak.example"})
    texts = Texts(r.text).by_id
    assert "This site is blocked by a legal order" in r.text
    assert "RG 26/00042" in r.text and "Tribunal judiciaire de Paris" in r.text
    assert "28 May 2028, 12:00 UTC" in r.text  # until, for people
    assert 'datetime="2028-05-28T12:00:00Z"' in r.text  # and exact, for machines
    assert "How to contest" in r.text
    assert "notice" in texts
    assert "set-cookie" not in r.headers  # nothing kept about the visitor
    # One script may run: the contest form's proof of work, by its hash.
    policy = dict(p.strip().split(" ", 1) for p in r.headers["content-security-policy"].split(";"))
    assert policy["script-src"] == f"'sha256-{pow_hash()}'"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    fr = site.client.get("/", headers={"Host": "leak.example", "Accept-Language": "fr-FR,fr;q=0.9"})
    assert "Ce site est bloqué par une décision de justice" in fr.text
    assert '<html lang="fr">' in fr.text
    not_blocked = site.client.get("/notice?name=unrelated.example")
    assert "not-blocked" in Texts(not_blocked.text).by_id
    own = site.client.get("/", headers={"Host": "notice.arret.localhost"})
    assert own.status_code == 200 and "Look up a name" in own.text
    assert site.client.get("/", headers={"Host": "127.0.0.1:8080"}).status_code == 303


def test_the_language_follows_accept_language_and_the_switch(site: Site) -> None:
    assert (
        "Registre public"
        in site.client.get(
            "/register", headers={"Accept-Language": "de;q=1, fr;q=0.8, en;q=0.5"}
        ).text
    )
    r = site.client.get("/lang/en?next=/register")
    assert r.status_code == 303 and r.headers["location"] == "/register"
    english = site.client.get("/register", headers={"Accept-Language": "fr"})
    assert "Public register" in english.text
    site.client.cookies.clear()
    r = site.client.get("/lang/xx?next=https://evil.example/")
    assert r.headers["location"] == "/orders"


@pytest.mark.parametrize(
    ("header", "expect"),
    [
        (None, "en"),
        ("fr", "fr"),
        ("fr-CA, en;q=0.5", "fr"),
        ("en-GB,fr;q=0.9", "en"),
        ("de, fr;q=0.2", "fr"),
        ("fr;q=0, en", "en"),
        ("fr;q=abc", "en"),
        ("*", "en"),
    ],
)
def test_choosing_the_language(header: str | None, expect: str) -> None:
    assert i18n.choose(None, header) == expect
    assert i18n.choose("en", "fr") == "en"


def extracted_messages() -> set[str]:
    """Every message of the web UI, extracted as `pybabel extract -F babel.cfg` does."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = Path(__file__).resolve().parents[2]
    with (root / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {"_": None, "N_": None, "flash": (2,)}
    return {
        message
        for _, _, message, _, _ in extract_from_dir(
            root / "src/arret", method_map, options_map, keywords=keywords
        )
        if isinstance(message, str)
    }


def test_every_message_has_its_french_and_no_french_is_left_over() -> None:
    from babel.messages.pofile import read_po

    messages = extracted_messages()
    # The extraction sees each way a message reaches a page: a template's literal, a
    # flash from a module, a value the templates translate (i18n.VALUES).
    assert {"Public register", "The order was registered.", "in-force", "nodata"} <= messages
    with (i18n.LOCALES / "fr/LC_MESSAGES/messages.po").open("rb") as source:
        french = read_po(source, locale="fr")
    translated = {m.id for m in french if m.id and m.string and not m.fuzzy}
    assert sorted(messages - translated) == []
    assert sorted({m.id for m in french if m.id} - messages) == []
    assert i18n.gettext("fr", "Public register") == "Registre public"
    assert i18n.gettext("en", "Public register") == "Public register"
    assert i18n.gettext("fr", "a message nobody translated") == "a message nobody translated"


def test_the_compliance_page_shows_the_chart_the_late_names_and_the_evidence(site: Site) -> None:
    from datetime import timedelta

    from arret.domain.model import Action
    from arret.probes.records import Result
    from arret.probes.verdict import Kind, Purpose
    from arret.store import probes as store_probes

    t = site.clock.now() - timedelta(minutes=10)

    def result(minute: int, resolver: str, name: str, purpose: Purpose, verdict: Kind) -> Result:
        return Result("orange", resolver, name, name, purpose, (1,), t, Action.NXDOMAIN,
                      verdict, Action.NXDOMAIN if verdict is Kind.BLOCKED else None,
                      t + timedelta(minutes=minute), 0.004, "NXDOMAIN",
                      reason="<script>evil()</script>")  # fmt: skip

    with site.engine.begin() as conn:
        store_probes.save(conn, [
            result(0, "127.0.0.1:5301", "leak.example", Purpose.IN_FORCE, Kind.NOT_BLOCKED),
            result(1, "127.0.0.1:5301", "leak.example", Purpose.IN_FORCE, Kind.BLOCKED),
            result(1, "127.0.0.1:5302", "leak.example", Purpose.IN_FORCE, Kind.NOT_BLOCKED),
            result(2, "127.0.0.1:5302", "old.example", Purpose.ENDED, Kind.BLOCKED),
        ])  # fmt: skip
    login(site, "operator:orange")
    page = site.client.get("/operators/orange/compliance")
    assert page.status_code == 200
    texts = Texts(page.text).by_id
    assert "<polyline" in page.text
    assert "leak.example" in texts["late"] and "127.0.0.1:5302" in texts["late"]
    assert "127.0.0.1:5301" not in texts["late"]  # it blocks now
    assert "old.example" in texts["over"]
    # Each resolver's shares with their 95 % Wilson interval: 5301 blocks its one
    # in-force name (1 of 1: [20.7-100 %]); 5302 blocks none of 1 and over-blocks 1 of 1.
    resolvers = texts["resolvers"]
    assert "100.0 % [20.7\u2013100.0 %] n=1" in " ".join(resolvers.split())
    assert "0.0 % [0.0\u201379.3 %] n=1" in " ".join(resolvers.split())
    assert "Wilson" in texts["intervals"]
    assert "<script>evil" not in page.text and "&lt;script&gt;evil()" in page.text
    assert site.client.get("/operators/sfr/compliance").status_code == 403
