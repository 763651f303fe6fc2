"""The public register's pages at scale: a page of orders at a time, which orders cover a
name, an order's own search, and the page of an order of 100,000 names under 200 KB."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support.website import NOW, Site, make_site

from arret.domain.lifecycle import OrderDraft
from arret.domain.model import Scope, TargetSpec
from arret.services import queries, registry

#: What the page of an order of 100,000 names may weigh, whatever the page of its names.
SIZE_BOUND = 200_000


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(f"sqlite:///{tmp_path / 'arret.db'}")


class Texts(HTMLParser):
    """The text of elements by id, and the `data-order` of table rows, in page order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.by_id: dict[str, str] = {}
        self.rows: dict[str, list[int]] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and found.get("data-order"):
            table = next((e for e in reversed(self.stack) if e), "")
            self.rows.setdefault(table, []).append(int(found["data-order"] or 0))
        if tag not in ("br", "input", "meta", "img", "hr", "link"):
            self.stack.append(found.get("id"))

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("br", "input", "meta", "img", "hr", "link") and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            if element:
                self.by_id[element] = self.by_id.get(element, "") + data


def register(site: Site, reference: str, names: list[str], confidential: bool = False,
             scope: Scope = Scope.SUBTREE) -> int:  # fmt: skip
    draft = OrderDraft(
        reference=reference,
        authority="Tribunal judiciaire de Paris",
        decided_on=NOW.date(),
        targets=tuple(TargetSpec(n, scope) for n in names),
        all_operators=True,
        effective_at=NOW,
        expires_at=NOW + timedelta(days=30),
        confidential=confidential,
    )
    with site.engine.begin() as conn:
        return registry.register_order(conn, draft, NOW, "test").id


def page(site: Site, path: str, lang: str = "en") -> tuple[str, Texts]:
    response = site.get(path, headers={"Accept-Language": lang})
    assert response.status_code == 200, response.text
    return response.text, Texts(response.text)


def next_link(html: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', html)
    return None if found is None else found.group(1).replace("&amp;", "&")


def test_the_register_pages_its_orders_newest_first(site: Site) -> None:
    with site.engine.connect() as conn:
        demo = [o.id for o in queries.orders(conn)]
    ids = [register(site, f"P{i}", [f"p{i}.example"]) for i in range(60)]
    every = sorted([*ids, *demo], reverse=True)
    seen: list[int] = []
    path: str | None = "/register"
    pages = 0
    while path is not None:
        html, texts = page(site, path)
        rows = texts.rows["register"]
        assert len(rows) <= queries.REGISTER_PAGE
        assert str(len(every)) in texts.by_id["register-count"]
        assert ("register-newest" in texts.by_id) == (pages > 0)
        seen += rows
        path, pages = next_link(html), pages + 1
    assert pages == 2
    assert seen == every  # every order once, newest first


def test_a_search_tells_which_orders_cover_a_name(site: Site) -> None:
    whole = register(site, "WHOLE", ["leak.example"])
    exact = register(site, "EXACT", ["www.leak.example"], scope=Scope.EXACT)
    register(site, "SECRET", ["leak.example", "secret-only.example"], confidential=True)
    register(site, "OTHER", ["other.example"])

    html, texts = page(site, "/register?name=WWW.leak.example")
    assert texts.by_id["found-name"] == "www.leak.example"
    assert texts.rows["covering"] == [exact, whole]
    assert "1" in texts.by_id["found-confidential"]
    assert "secret-only.example" not in html  # never a confidential order's names
    assert "and every name below it" in texts.by_id["covering"]
    # The register is still listed below the answer.
    assert len(texts.rows["register"]) >= 4

    _html, texts = page(site, "/register?name=deep.www.leak.example")
    assert texts.rows["covering"] == [whole]

    _html, texts = page(site, "/register?name=nothing.example")
    assert "found-none" in texts.by_id and "covering" not in texts.rows
    assert "found-confidential" not in texts.by_id

    _html, texts = page(site, "/register?name=secret-only.example")
    assert "covering" not in texts.rows and "found-none" not in texts.by_id
    assert "1" in texts.by_id["found-confidential"]

    _html, texts = page(site, "/register?name=http://leak.example/x")
    assert "leak.example" in texts.by_id["search-error"] and "found" not in texts.by_id

    _html, texts = page(site, "/register?name=www.leak.example", "fr")
    assert "Ordres confidentiels bloquant ce nom" in texts.by_id["found-confidential"]

    # Once the orders have ended, the public ones are still listed; the confidential one
    # no longer blocks anything, and is no longer counted.
    site.clock.advance(timedelta(days=31))
    _html, texts = page(site, "/register?name=www.leak.example")
    assert texts.rows["covering"] == [exact, whole]
    assert "found-confidential" not in texts.by_id


def test_an_order_page_searches_its_own_names_and_a_confidential_one_does_not(
    site: Site,
) -> None:
    public = register(site, "PUBLIC", [f"n{i}.leak.example" for i in range(30)])
    secret = register(site, "SECRET", ["hidden.example"], confidential=True)

    _html, texts = page(site, f"/register/{public}?name=www.n7.leak.example")
    assert "n7.leak.example" in texts.by_id["found"]
    _html, texts = page(site, f"/register/{public}?name=hidden.example")
    assert "found-none" in texts.by_id and "found" not in texts.by_id

    html, texts = page(site, f"/register/{secret}?name=hidden.example")
    assert 'id="search"' not in html
    assert "found" not in texts.by_id and "found-none" not in texts.by_id
    # The page says the same whether the name is one of the order's or not.
    other, _texts = page(site, f"/register/{secret}?name=nothing.example")
    assert html.replace("hidden.example", "X") == other.replace("nothing.example", "X")


def test_the_page_of_an_order_of_100000_names_stays_under_its_bound(site: Site) -> None:
    names = [f"mirror{i}.leak{i % 97}.example" for i in range(100_000)]
    order_id = register(site, "BIG", names)
    with site.engine.begin() as conn:
        registry.amend_order(conn, order_id, NOW, "test",
                             add=[TargetSpec(f"late{i}.example") for i in range(2_000)],
                             remove=names[:1_500])  # fmt: skip

    for lang in ("en", "fr"):
        html, texts = page(site, f"/register/{order_id}", lang)
        assert len(html.encode()) < SIZE_BOUND, len(html.encode())
        assert texts.by_id["names-count"].strip() == "100500"
        # The timeline gives each step's whole counts, and only its first names.
        timeline = texts.by_id["timeline"]
        assert "100000" in timeline and "2000" in timeline and "1500" in timeline
        assert "mirror99.leak2.example" in timeline
        assert "mirror100.leak3.example" not in timeline
        later = next_link(html)
        assert later is not None
        html, texts = page(site, later, lang)
        assert len(html.encode()) < SIZE_BOUND, len(html.encode())
        assert "names-first" in texts.by_id

    html, texts = page(site, "/register")
    assert len(html.encode()) < SIZE_BOUND
    assert "100500" in html
    html, texts = page(site, f"/register?name=www.{names[-1]}")
    assert texts.rows["covering"] == [order_id]
