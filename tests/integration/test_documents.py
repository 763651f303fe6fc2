"""An order's documents on a real database (SQLite and PostgreSQL): a decision PDF and
per-target evidence attached through the API and the CLI, kept by SHA-256 in the
database or in a directory, served back typed by their content and never as a page;
every bad input refused with a clear reason and nothing stored; the public register
offering a public order's documents and only the digests of a confidential one's; and a
swapped file caught by `arret log verify`."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from support.cli import Arret
from support.signed import open_engine
from support.website import Site, assert_error, make_site, order_body

AUTH, AUDIT, ORANGE, SFR = "authority", "auditor", "operator:orange", "operator:sfr"

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
TEXT = b"La page affichait les dossiers de 500 000 patients.\n"
FORGED = b"%PDF-1.4 forged\n"
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def site(database_url: str) -> Site:
    """The demo (order 1), order 2 to orange, order 3 confidential to orange."""
    site = make_site(database_url)
    assert site.post("/api/orders", AUTH, json=order_body()).json()["id"] == 2
    secret = order_body(targets=[{"name": "secret.example"}], confidential=True)
    assert site.post("/api/orders", AUTH, json=secret).json()["id"] == 3
    return site


def upload(
    site: Site,
    order: int,
    data: bytes,
    content_type: str,
    role: str | None = AUTH,
    **query: str,
) -> Any:
    return site.post(
        f"/api/orders/{order}/documents",
        role,
        params=query,
        content=data,
        headers={"Content-Type": content_type},
    )


def counts(engine: Engine) -> tuple[int, ...]:
    with engine.connect() as conn:
        return tuple(
            int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("documents", "order_documents", "events", "log_leaves")
        )


def test_a_decision_and_evidence_are_attached_listed_and_served_as_themselves(
    site: Site,
) -> None:
    r = upload(site, 2, PDF, "application/pdf", kind="decision", filename="ordonnance 21-51823.pdf")
    assert r.status_code == 201, r.text
    decision = r.json()
    assert decision["sha256"] == sha(PDF) and decision["media_type"] == "application/pdf"
    assert decision["size"] == len(PDF) and decision["filename"] == "ordonnance 21-51823.pdf"
    r = upload(site, 2, TEXT, "text/plain; charset=utf-8", kind="evidence",
               target="LEAK.example.", filename="capture.txt",
               captured_at="2026-11-20T10:00:00Z", captured_by="Maître Dupont")  # fmt: skip
    assert r.status_code == 201, r.text
    evidence = r.json()
    assert evidence["target"] == "leak.example"
    assert (evidence["captured_at"], evidence["captured_by"]) == ("2026-11-20T10:00:00Z",
                                                                  "Maître Dupont")  # fmt: skip

    for role in (AUTH, AUDIT, ORANGE):
        listed = site.get("/api/orders/2/documents", role).json()["documents"]
        assert [d["sha256"] for d in listed] == [sha(PDF), sha(TEXT)]
    assert site.get("/api/orders/2/documents", SFR).status_code == 403

    r = site.get(f"/api/orders/2/documents/{sha(PDF)}", ORANGE)
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-disposition"].startswith("attachment; filename=")
    assert "sandbox" in r.headers["content-security-policy"]
    r = site.get(f"/api/public/orders/2/documents/{sha(TEXT)}")
    assert r.status_code == 200 and r.content == TEXT
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.headers["content-disposition"] == (
        "attachment; filename=\"capture.txt\"; filename*=UTF-8''capture.txt"
    )
    # The order's history says who attached what, and when.
    history = site.get("/api/orders/2", AUTH).json()["history"]
    assert [h["kind"] for h in history][-2:] == ["order.document", "order.document"]
    assert history[-1]["sha256"] == sha(TEXT) and history[-1]["target"] == "leak.example"


def test_the_public_register_offers_a_public_order_s_documents_and_a_confidential_one_s_digests(
    site: Site,
) -> None:
    assert upload(site, 2, PDF, "application/pdf", kind="decision",
                  filename="decision.pdf").status_code == 201  # fmt: skip
    assert upload(site, 3, PDF, "application/pdf", kind="decision",
                  filename="secret-decision.pdf").status_code == 201  # fmt: skip
    assert upload(site, 3, PNG, "image/png", kind="evidence", target="secret.example",
                  filename="secret.example.png").status_code == 201  # fmt: skip

    public = site.get("/api/public/orders/2").json()["documents"]
    assert public[0]["filename"] == "decision.pdf" and public[0]["sha256"] == sha(PDF)
    secret = site.get("/api/public/orders/3").json()
    assert [{k: v for k, v in d.items() if v is not None} for d in secret["documents"]] == [
        {"kind": "decision", "sha256": sha(PDF)},
        {"kind": "evidence", "sha256": sha(PNG)},
    ]
    assert "secret" not in json.dumps(secret["documents"])
    r = site.get(f"/api/public/orders/3/documents/{sha(PNG)}")
    assert_error(r, 404, "not_found")
    assert site.get(f"/api/orders/3/documents/{sha(PNG)}", AUDIT).content == PNG

    # The log records the digests; a confidential order's target only as a commitment,
    # its file names not at all.
    size = site.get("/api/log/head").json()["size"]
    found = site.get(f"/api/log/leaves?start=0&end={size}").json()["leaves"]
    leaves = [leaf["data"] for leaf in found]
    attached = [json.loads(d) for d in leaves if '"order.document"' in d]
    assert [a["event"]["sha256"] for a in attached] == [sha(PDF), sha(PDF), sha(PNG)]
    assert attached[0]["event"]["filename"] == "decision.pdf"
    assert attached[2]["event"]["filename"] is None
    assert set(attached[2]["event"]["target"]) == {"commitment"}
    assert not [d for d in leaves if "secret.example" in d or "secret-decision" in d]
    proof = site.get("/api/log/commitments/secret.example", AUDIT).json()
    assert attached[2]["event"]["target"]["commitment"] == proof["commitment"]


BAD: list[tuple[str, int, bytes, str, dict[str, str], int, str, str]] = [
    # what, order, data, content type, query, status, code, a reason's words
    ("oversized", 2, b"%PDF-1.4\n" + b"0" * (16 * 2**20), "application/pdf",
     {"kind": "decision"}, 413, "document_too_large", "at most 16,777,216"),
    ("HTML called a PDF", 2, HTML, "application/pdf", {"kind": "decision"}, 422,
     "invalid_document", "HTML"),
    ("HTML after white space", 2, b"\n\t <svg onload=alert(1)>", "text/plain",
     {"kind": "evidence", "target": "leak.example"}, 422, "invalid_document", "HTML"),
    ("a PNG called a PDF", 2, PNG, "application/pdf", {"kind": "decision"}, 422,
     "invalid_document", "claims to be application/pdf but its content is image/png"),
    ("a PDF named .png", 2, PDF, "application/octet-stream",
     {"kind": "evidence", "target": "leak.example", "filename": "x.png"}, 422,
     "invalid_document", "claims to be image/png"),
    ("a decision that is not a PDF", 2, TEXT, "text/plain", {"kind": "decision"}, 422,
     "invalid_document", "must be application/pdf"),
    ("binary", 2, b"\x00\x01\x02garbage", "text/plain",
     {"kind": "evidence", "target": "leak.example"}, 422, "invalid_document", "none of"),
    ("empty", 2, b"", "application/pdf", {"kind": "decision"}, 422, "invalid_document",
     "empty"),
    ("unknown kind", 2, PDF, "application/pdf", {"kind": "ruling"}, 422, "invalid_document",
     "decision or evidence"),
    ("unknown order", 99, PDF, "application/pdf", {"kind": "decision"}, 404, "not_found",
     ""),
    ("unknown target", 2, TEXT, "text/plain",
     {"kind": "evidence", "target": "elsewhere.example"}, 422, "invalid_document",
     "elsewhere.example is not a target of order 2"),
    ("evidence without target", 2, TEXT, "text/plain", {"kind": "evidence"}, 422,
     "invalid_document", "name it"),
    ("a decision with a target", 2, PDF, "application/pdf",
     {"kind": "decision", "target": "leak.example"}, 422, "invalid_document", "no target"),
    ("a capture in the future", 2, TEXT, "text/plain",
     {"kind": "evidence", "target": "leak.example", "captured_at": "2030-01-01"}, 422,
     "invalid_document", "future"),
    ("a bidi override in its author", 2, TEXT, "text/plain",
     {"kind": "evidence", "target": "leak.example", "captured_by": "Ma\u202eître"}, 422,
     "invalid_document", "U+202E"),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_every_bad_document_is_refused_clearly_and_nothing_is_stored(
    site: Site, case: tuple[str, int, bytes, str, dict[str, str], int, str, str]
) -> None:
    _what, order, data, content_type, query, status, code, words = case
    before = counts(site.engine)
    error = assert_error(upload(site, order, data, content_type, **query), status, code)
    assert words in " ".join([error["message"], *error["reasons"]]), error
    assert counts(site.engine) == before


def test_only_the_authority_attaches(site: Site) -> None:
    before = counts(site.engine)
    assert_error(upload(site, 2, PDF, "application/pdf", None, kind="decision"), 401,
                 "not_authenticated")  # fmt: skip
    for role in (AUDIT, ORANGE):
        assert_error(upload(site, 2, PDF, "application/pdf", role, kind="decision"), 403,
                     "forbidden")  # fmt: skip
    assert counts(site.engine) == before


def test_a_dry_run_checks_and_stores_nothing_and_the_same_document_twice_is_a_conflict(
    site: Site,
) -> None:
    before = counts(site.engine)
    r = upload(site, 2, PDF, "application/pdf", kind="decision", dry_run="true")
    assert r.status_code == 200 and r.json()["dry_run"] is True
    assert counts(site.engine) == before
    assert upload(site, 2, PDF, "application/pdf", kind="decision").status_code == 201
    after = counts(site.engine)
    assert_error(upload(site, 2, PDF, "application/pdf", kind="decision"), 409, "already_exists")
    assert counts(site.engine) == after
    # The same file as evidence of a target, and for another order: kept once.
    assert upload(site, 2, PDF, "application/pdf", kind="evidence",
                  target="leak.example").status_code == 201  # fmt: skip
    assert upload(site, 3, PDF, "application/pdf", kind="decision").status_code == 201
    assert counts(site.engine)[:2] == (1, 3)


def test_a_document_whose_content_was_swapped_is_not_served(site: Site) -> None:
    assert upload(site, 2, PDF, "application/pdf", kind="decision").status_code == 201
    with site.engine.begin() as conn:
        conn.execute(text("UPDATE documents SET content = :c"), {"c": b"%PDF-1.4 forged"})
    error = assert_error(site.get(f"/api/orders/2/documents/{sha(PDF)}", AUTH), 503,
                         "document_damaged")  # fmt: skip
    assert "not served" in error["message"]
    assert_error(site.get(f"/api/public/orders/2/documents/{sha(PDF)}"), 503, "document_damaged")
    assert_error(site.get(f"/api/orders/2/documents/{'0' * 64}", AUTH), 404, "not_found")


# --- The command line, and `arret log verify` ---


@pytest.fixture
def arret(database_url: str, tmp_path: Path) -> Arret:
    arret = Arret(tmp_path, database_url)
    arret("demo", "--no-tokens", "--no-moving")
    (tmp_path / "decision.pdf").write_bytes(PDF)
    (tmp_path / "capture.png").write_bytes(PNG)
    return arret


def test_the_cli_attaches_shows_and_writes_back_documents(arret: Arret, tmp_path: Path) -> None:
    _, out, _ = arret("order", "attach", "1", str(tmp_path / "decision.pdf"), "--kind", "decision")
    assert (
        f"order 1: decision attached, application/pdf, {len(PDF)} bytes, sha256 {sha(PDF)}" in out
    )
    capture = str(tmp_path / "capture.png")
    found = arret.json("order", "attach", "1", capture, "--kind", "evidence",
                       "--target", "dossiers-labos.example", "--captured-at",
                       "2021-03-01T09:00:00Z", "--captured-by", "CNIL")  # fmt: skip
    assert isinstance(found, dict) and found["sha256"] == sha(PNG)
    shown = arret.json("order", "show", "1")
    assert isinstance(shown, dict)
    assert [d["sha256"] for d in shown["documents"]] == [sha(PDF), sha(PNG)]
    arret("order", "document", "1", sha(PNG), "-o", str(tmp_path / "back.png"))
    assert (tmp_path / "back.png").read_bytes() == PNG
    code, _, err = arret("order", "attach", "1", str(tmp_path / "missing.pdf"), "--kind",
                         "decision", ok=False)  # fmt: skip
    assert code == 1 and "cannot read" in err
    (tmp_path / "page.pdf").write_bytes(HTML)
    code, _, err = arret("order", "attach", "1", str(tmp_path / "page.pdf"), "--kind",
                         "decision", ok=False)  # fmt: skip
    assert code == 1 and "HTML" in err and "nothing was stored" in err
    code, _, err = arret("order", "attach", "7", str(tmp_path / "decision.pdf"), "--kind",
                         "decision", ok=False)  # fmt: skip
    assert code == 3 and "no order with id 7" in err


def test_log_verify_catches_a_swapped_document_in_the_database(
    arret: Arret, tmp_path: Path
) -> None:
    arret("order", "attach", "1", str(tmp_path / "decision.pdf"), "--kind", "decision")
    assert "log verified" in arret("log", "verify")[1]
    engine = engine_of(arret)
    with engine.begin() as conn:
        conn.execute(text("UPDATE documents SET content = :c"), {"c": FORGED})
        leaf = conn.execute(
            text(
                "SELECT l.idx FROM log_leaves l JOIN events e ON e.id = l.event_id "
                "WHERE e.kind = 'order.document'"
            )
        ).scalar_one()
    engine.dispose()
    code, _, err = arret("log", "verify", ok=False)
    assert code == 5
    assert f"the first bad leaf is {leaf}" in err
    assert f"document {sha(PDF)}: the content in its row hashes to {sha(FORGED)}" in err


def test_log_verify_catches_a_swapped_or_missing_file_in_the_documents_directory(
    arret: Arret, tmp_path: Path
) -> None:
    store = tmp_path / "documents"
    arret("--documents", str(store), "order", "attach", "1", str(tmp_path / "capture.png"),
          "--kind", "evidence", "--target", "dossiers-labos.example")  # fmt: skip
    kept = store / sha(PNG)[:2] / sha(PNG)
    assert kept.read_bytes() == PNG
    engine = engine_of(arret)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT content FROM documents")).scalar_one() is None
    engine.dispose()
    assert "log verified" in arret("--documents", str(store), "log", "verify")[1]
    # Without the directory, the content cannot be found: said, not passed over.
    code, _, err = arret("log", "verify", ok=False)
    assert code == 5 and "its content is missing (no documents directory was given)" in err

    kept.write_bytes(PNG[:-1] + b"\x01")
    code, _, err = arret("--documents", str(store), "log", "verify", ok=False)
    assert code == 5 and "the content in its file hashes to" in err and "it was swapped" in err
    code, _, err = arret("--documents", str(store), "order", "document", "1", sha(PNG), "-o",
                         str(tmp_path / "out.png"), ok=False)  # fmt: skip
    assert code == 5 and "not served" in err and not (tmp_path / "out.png").exists()
    kept.unlink()
    code, _, err = arret("--documents", str(store), "log", "verify", ok=False)
    assert code == 5 and f"document {sha(PNG)}: its content is missing" in err


def test_log_verify_catches_an_attachment_changed_behind_its_event(
    arret: Arret, tmp_path: Path
) -> None:
    arret("order", "attach", "1", str(tmp_path / "capture.png"), "--kind", "evidence",
          "--target", "dossiers-labos.example")  # fmt: skip
    engine = engine_of(arret)
    with engine.begin() as conn:
        conn.execute(text("UPDATE order_documents SET target = 'dossiers-labos-miroir.example'"))
    engine.dispose()
    code, _, err = arret("log", "verify", ok=False)
    assert code == 5 and "differs from event" in err


def engine_of(arret: Arret) -> Engine:
    return open_engine(arret.url)


# --- The web UI ---


def web_login(site: Site, role: str) -> str:
    """Log in as `role`; the session's CSRF token."""
    site.client.cookies.clear()
    page = site.client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    r = site.client.post("/login", data={"token": site.tokens[role], "csrf": csrf.group(1)})
    assert r.status_code == 303, r.text
    found = re.search(r'name="csrf" value="([^"]+)"', site.client.get("/orders/2").text)
    assert found is not None
    return found.group(1)


def web_upload(site: Site, csrf: str, order: int, name: str, data: bytes, mime: str,
               **form: str) -> Any:  # fmt: skip
    return site.client.post(
        f"/orders/{order}/documents",
        data={"csrf": csrf, **form},
        files={"file": (name, data, mime)},
    )


def test_the_authority_attaches_from_the_order_page_with_the_csrf_token(site: Site) -> None:
    csrf = web_login(site, AUTH)
    page = site.client.get("/orders/2").text
    assert 'enctype="multipart/form-data"' in page and 'id="document-form"' in page
    before = counts(site.engine)
    r = web_upload(site, "forged", 2, "d.pdf", PDF, "application/pdf", kind="decision")
    assert r.status_code == 403 and counts(site.engine) == before
    r = web_upload(site, csrf, 2, "d.pdf", HTML, "application/pdf", kind="decision")
    assert r.status_code == 422 and counts(site.engine) == before
    assert "HTML or other markup" in r.text and "nothing was stored" in r.text
    r = web_upload(site, csrf, 2, "big.pdf", b"%PDF-" + b"0" * (16 * 2**20), "application/pdf",
                   kind="decision")  # fmt: skip
    assert r.status_code == 413 and counts(site.engine) == before
    r = web_upload(site, csrf, 2, "ordonnance.pdf", PDF, "application/pdf", kind="decision")
    assert r.status_code == 303 and r.headers["location"] == "/orders/2#documents"
    r = web_upload(site, csrf, 2, "capture.png", PNG, "image/png", kind="evidence",
                   target="leak.example", captured_by="CNIL")  # fmt: skip
    assert r.status_code == 303
    page = site.client.get("/orders/2").text
    assert "The document was attached." in page
    assert f'href="/orders/2/documents/{sha(PDF)}"' in page and sha(PNG) in page
    r = site.client.get(f"/orders/2/documents/{sha(PNG)}")
    assert r.content == PNG and r.headers["content-type"] == "image/png"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-disposition"].startswith('attachment; filename="capture.png"')

    # An operator reads the documents of the orders addressed to it, and attaches nothing.
    csrf = web_login(site, ORANGE)
    page = site.client.get("/orders/2").text
    assert sha(PDF) in page and 'id="document-form"' not in page
    r = web_upload(site, csrf, 2, "x.pdf", PDF, "application/pdf", kind="evidence",
                   target="leak.example")  # fmt: skip
    assert r.status_code == 403
    web_login(site, SFR)
    assert site.client.get(f"/orders/2/documents/{sha(PDF)}").status_code == 403


def test_the_register_page_offers_public_documents_and_only_digests_of_confidential_ones(
    site: Site,
) -> None:
    assert upload(site, 2, PDF, "application/pdf", kind="decision",
                  filename="ordonnance.pdf").status_code == 201  # fmt: skip
    assert upload(site, 3, PNG, "image/png", kind="evidence", target="secret.example",
                  filename="secret.example.png").status_code == 201  # fmt: skip
    site.client.cookies.clear()
    public = site.client.get("/register/2").text
    assert f'href="/register/2/documents/{sha(PDF)}"' in public and "ordonnance.pdf" in public
    r = site.client.get(f"/register/2/documents/{sha(PDF)}")
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    secret = site.client.get("/register/3").text
    assert sha(PNG) in secret and "only the SHA-256" in secret
    assert "secret.example" not in secret and "/documents/" not in secret
    assert site.client.get(f"/register/3/documents/{sha(PNG)}").status_code == 404


def test_documents_kept_in_a_directory_leave_nothing_behind_a_dry_run_or_a_refusal(
    database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "documents"
    site = make_site(database_url, documents_dir=folder)
    assert (
        upload(site, 1, PDF, "application/pdf", kind="decision", dry_run="true").status_code == 200
    )
    assert upload(site, 1, HTML, "application/pdf", kind="decision").status_code == 422
    assert not folder.exists() or not any(folder.rglob("*"))
    assert upload(site, 1, PDF, "application/pdf", kind="decision").status_code == 201
    assert [p.name for p in folder.rglob("*") if p.is_file()] == [sha(PDF)]
    with site.engine.connect() as conn:
        assert conn.execute(text("SELECT content FROM documents")).scalar_one() is None
    assert site.get(f"/api/public/orders/1/documents/{sha(PDF)}").content == PDF
