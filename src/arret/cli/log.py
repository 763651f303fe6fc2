"""`arret log …`: check the transparency log — from a server's public endpoints or from a
database — and check a zone against the digest logged for its serial."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import dns.exception
import dns.name
import dns.query
import dns.tsigkeyring
import dns.xfr
import dns.zone
import typer

from arret.cli.context import env
from arret.cli.output import console
from arret.cli.progress import shown
from arret.domain.instants import parse_instant
from arret.domain.operators import check_endpoint
from arret.errors import ArretError, LogInconsistent
from arret.rpz.resolvers import split_endpoint
from arret.rpz.zone import FeedSettings
from arret.services import documents
from arret.services import keys as key_service
from arret.services import log as log_service
from arret.services.database import log_public_key, require_current
from arret.services.log import DigestSecret
from arret.tlog import multiset
from arret.tlog.keys import KeyChain, chain_from_json
from arret.tlog.merkle import verify_consistency
from arret.tlog.signing import TreeHead, key_id, verify_head
from arret.tlog.verify import Checkpoint, Report, Source, chain_of, check_inclusion, verify

app = typer.Typer(no_args_is_help=True, help="The transparency log: verify it, check a zone.")


class Unreachable(ArretError):
    """The server could not be asked, or answered what a log server does not."""

    exit_code = 6

    def __init__(self, summary: str, status: int | None = None) -> None:
        super().__init__(summary)
        #: The HTTP status the server answered, if it answered.
        self.status = status


class HttpSource:
    """A log read from a server's public endpoints (`/api/log/…`)."""

    def __init__(self, url: str, token: str | None = None) -> None:
        self.base = url.rstrip("/")
        self.token = token

    def get(self, path: str, **query: Any) -> Any:
        params = {k: v for k, v in query.items() if v is not None}
        url = f"{self.base}{path}" + (f"?{urllib.parse.urlencode(params)}" if params else "")
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read())["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = exc.reason
            raise Unreachable(f"{url}: HTTP {exc.code}: {message}", exc.code) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise Unreachable(f"cannot read {url}: {exc}") from None

    def content(self, path: str) -> bytes:
        """The bytes at `path` (a document), whatever their type."""
        url = f"{self.base}{path}"
        request = urllib.request.Request(url)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read())["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = exc.reason
            raise Unreachable(f"{url}: HTTP {exc.code}: {message}", exc.code) from None
        except (urllib.error.URLError, OSError) as exc:
            raise Unreachable(f"cannot read {url}: {exc}") from None

    def public_key(self) -> bytes:
        return base64.b64decode(self.get("/api/log/key")["public_key"])

    def keys(self) -> KeyChain:
        """The key history the server gives (one key for a server that gives none)."""
        answer = self.get("/api/log/key")
        if "history" not in answer:
            return KeyChain.of(base64.b64decode(answer["public_key"]))
        try:
            return chain_from_json(answer["history"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ArretError(f"the server's key history is malformed: {exc}") from None

    def head(self, size: int | None = None) -> TreeHead | None:
        try:
            return head_from(self.get("/api/log/head", size=size))
        except Unreachable as exc:
            if exc.status == 404:
                return None
            raise

    def leaves(self, start: int, end: int) -> list[tuple[int, str, bytes]]:
        found = self.get("/api/log/leaves", start=start, end=end)["leaves"]
        return [(int(x["index"]), str(x["data"]), bytes.fromhex(x["hash"])) for x in found]

    def consistency(self, first: int, second: int) -> list[bytes]:
        found = self.get("/api/log/proof/consistency", first=first, second=second)
        return [bytes.fromhex(h) for h in found["proof"]]

    def heads(self, start: int, end: int) -> list[TreeHead]:
        return [head_from(h) for h in self.get("/api/log/heads", start=start, end=end)["heads"]]


def read_public_key(path: Path) -> bytes:
    """The raw Ed25519 public key in a PEM file: an auditor verifies with it alone."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ArretError(f"cannot read a public key from {path}: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ArretError(f"{path} holds a {type(key).__name__}, not an Ed25519 public key")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def head_from(data: dict[str, Any]) -> TreeHead:
    try:
        return TreeHead(
            int(data["size"]),
            parse_instant(str(data["timestamp"])),
            bytes.fromhex(data["root_hash"]),
            base64.b64decode(data["signature"], validate=True),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ArretError(f"not a tree head ({exc!r}): {str(data)[:200]}") from None


def _read_saved(path: Path | None) -> TreeHead | None:
    if path is None or not path.exists():
        return None
    try:
        return head_from(json.loads(path.read_text()))
    except ValueError as exc:
        raise ArretError(f"{path} is not a saved tree head (JSON): {exc}") from None


def _save(path: Path, head: TreeHead, key: str) -> None:
    """Write `head` to `path` atomically (a crash never leaves half a saved head)."""
    temporary = path.with_name(f".{path.name}.new")
    temporary.write_text(json.dumps(head.as_json() | {"key_id": key}, indent=2) + "\n")
    temporary.replace(path)


def _transfer(feed: str, zone: str, key_name: str, key_secret: str) -> dns.zone.Zone:
    host, port = split_endpoint(check_endpoint(feed))
    origin = dns.name.from_text(zone)
    keyring = dns.tsigkeyring.from_text({key_name: key_secret}) if key_name else None
    held = dns.zone.Zone(origin)
    query, _ = dns.xfr.make_query(
        held, keyring=keyring, keyname=dns.name.from_text(key_name) if key_name else None
    )
    try:
        dns.query.inbound_xfr(host, held, query, port=port, timeout=30)
    except (dns.exception.DNSException, OSError) as exc:
        raise Unreachable(f"cannot transfer {zone} from {feed}: {exc!r}") from None
    return held


def _check_feed(
    report: Report,
    operator: str,
    held: log_service.HeldZone,
    salt: DigestSecret,
    lookup: Callable[[int], tuple[int, str] | None],
) -> str:
    for offset, data in enumerate(report.data):
        # Canonical JSON sorts keys: a feed leaf starts with "entries", an event leaf with
        # "event" — the (possibly large) event leaves are not parsed.
        if not data.startswith('{"entries":'):
            continue
        logged = json.loads(data)
        if (
            logged.get("type") == "feed"
            and logged.get("operator") == operator
            and (logged.get("serial") == held.serial)
        ):
            return _held_against(report, operator, held, salt, report.start + offset, logged)
    # Verified from a checkpoint: the serial may be logged before it.
    found = lookup(held.serial) if report.start else None
    if found is not None:
        return _held_against(report, operator, held, salt, found[0], json.loads(found[1]))
    report.add(None, f"{operator}'s feed is at serial {held.serial}, which the log does not hold")
    return ""


def _held_against(
    report: Report,
    operator: str,
    held: log_service.HeldZone,
    salt: DigestSecret,
    index: int,
    logged: dict[str, Any],
) -> str:
    why = log_service.check_held(salt, held, logged)
    if why is not None:
        report.add(index, f"{operator}'s feed: {why}")
    return f"leaf {index}"


def _read_checkpoint(path: Path | None) -> tuple[Checkpoint | None, log_service.Reached | None]:
    if path is None or not path.exists():
        return None, None
    try:
        data = json.loads(path.read_text())
        checkpoint = Checkpoint(
            head_from(data["head"]), [bytes.fromhex(h) for h in data["frontier"]]
        )
        found = data.get("registry")
        reached = None
        if found is not None:
            feeds = {
                name: log_service.FeedReached(
                    int(f["serial"]), multiset.from_text(f["state"]), int(f["entries"]),
                    str(f["secret"]), bool(f["keyed"]),
                )
                for name, f in found["feeds"].items()
            }  # fmt: skip
            policies = {
                int(pid): log_service.PolicyReached(
                    int(r["rev"]), multiset.from_text(r["sum"]), int(r["entries"])
                )
                for pid, r in found["policies"].items()
            }
            reached = log_service.Reached(int(found["last_event"]), feeds, policies)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ArretError(f"{path} is not a checkpoint of `arret log verify`: {exc!r}") from None
    return checkpoint, reached


def _save_checkpoint(path: Path, report: Report, reached: log_service.Reached | None) -> None:
    """Write where this verification ended to `path` atomically."""
    assert report.head is not None
    data: dict[str, Any] = {
        "key_id": report.key_id,
        "head": report.head.as_json(),
        "frontier": [h.hex() for h in report.frontier],
        "registry": None,
    }
    if reached is not None:
        data["registry"] = {
            "last_event": reached.last_event,
            "feeds": {
                name: {"serial": f.serial, "state": multiset.to_text(f.state),
                       "entries": f.entries, "secret": f.secret, "keyed": f.keyed}
                for name, f in sorted(reached.feeds.items())
            },
            "policies": {
                str(pid): {"rev": r.rev, "sum": multiset.to_text(r.total),
                           "entries": r.entries}
                for pid, r in sorted(reached.policies.items())
            },
        }  # fmt: skip
    temporary = path.with_name(f".{path.name}.new")
    temporary.write_text(json.dumps(data, indent=1) + "\n")
    temporary.replace(path)


@app.command("verify")
def verify_command(
    ctx: typer.Context,
    server: Annotated[
        str | None,
        typer.Option(metavar="URL", help="Read the log from this server (default: --db)."),
    ] = None,
    head: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="A tree head saved earlier: the log must extend it. Missing file: start "
            "from nothing.",
        ),
    ] = None,
    save: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Save the newest head when it verifies.")
    ] = None,
    key: Annotated[
        str | None, typer.Option("--key-id", metavar="HEX", help="The log key to expect.")
    ] = None,
    operator: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Also check this operator's feed (by AXFR)."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            metavar="TOKEN", envvar="ARRET_TOKEN", help="With --server: the operator's token."
        ),
    ] = None,
    feed: Annotated[str, typer.Option(metavar="HOST:PORT", help="The feed.")] = "127.0.0.1:5353",
    key_name: Annotated[str, typer.Option(metavar="NAME", help="TSIG key name.")] = "",
    key_secret: Annotated[str, typer.Option(metavar="BASE64", help="TSIG secret.")] = "",
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Go on from where the run that wrote FILE stopped (missing file: verify "
            "everything): check that the log extends its head, and only what was appended "
            "since; write the new checkpoint there when the log verifies.",
        ),
    ] = None,
    fetch_documents: Annotated[
        bool,
        typer.Option(
            "--fetch-documents",
            help="With --server: download every document of a public order that the "
            "verified leaves record, and check it hashes to the digest logged.",
        ),
    ] = False,
    public_key: Annotated[
        Path | None,
        typer.Option(
            metavar="PEM",
            help="From a database: the log's public key (`/api/log/key`'s pem, or `openssl "
            "pkey -pubout`); default: derived from the signing key (--log-key).",
        ),
    ] = None,
) -> None:
    """Verify the log: signatures, consistency with a saved head, every leaf's hash, the
    signed roots; from a database also every event and feed serial against its leaf.
    Exits 5 naming the first bad leaf."""
    saved = _read_saved(head)
    # On a terminal, each step and how far it is; erased before the result is said.
    with shown() as progress:
        start, since = _read_checkpoint(checkpoint)
        fetched: int | None = None
        source: Source
        reached: log_service.Reached | None = None
        lookup: Callable[[int], tuple[int, str] | None]
        if server is not None:
            http = HttpSource(server, token)
            source = http
            report = verify(source, saved, key, start, progress)
            held_salt: DigestSecret | None = None
            if operator is not None and report.ok:
                if not token:
                    raise ArretError("checking a feed from a server needs the operator's --token")
                secret_data = http.get(f"/api/operators/{operator}/feed/digest-salt")
                held_salt = log_service.secret_from_json(secret_data)
            lookup = functools.partial(_logged_serial, http, report, operator or "")
            if fetch_documents and report.ok:
                fetched = _fetch_documents(http, report)
        else:
            e = env(ctx)
            require_current(e.engine)
            with e.engine.connect() as conn:  # reads only
                public = (
                    read_public_key(public_key)
                    if public_key is not None
                    else log_public_key(e.engine)
                )
                # The registry's part of a checkpoint written from a server is missing: then
                # everything is verified again.
                if since is None:
                    start = None
                report = verify(
                    log_service.DatabaseSource(conn, public), saved, key, start, progress
                )
                if report.ok:
                    reached = log_service.registry_problems(conn, report, since, progress)
                    # Every document's content, hashed again against its logged digest
                    # (whatever the checkpoint: a file can be swapped at any time).
                    documents.check(conn, report, e.documents)
                held_salt = None  # set below when an operator is checked
                if operator is not None:
                    held_salt = log_service.digest_secret(conn, operator)
                    if not key_name:
                        current = key_service.current_key(conn, operator, e.clock.now())
                        if current is not None:
                            key_name, key_secret = current.name, current.secret

            def lookup(serial: int) -> tuple[int, str] | None:
                with e.engine.connect() as conn:
                    return log_service.serial_leaf(conn, operator or "", serial)

        where = ""
        if operator is not None and held_salt is not None and report.ok:
            zone = FeedSettings().zone(operator)
            progress(f"transferring {zone} from {feed}", 0, None)
            held = log_service.entries_of(_transfer(feed, zone, key_name, key_secret))
            where = _check_feed(report, operator, held, held_salt, lookup)
    if not report.ok:
        first = report.first_bad_leaf()
        summary = "the log does NOT verify" + (f": the first bad leaf is {first}" if
                                              first is not None else "")  # fmt: skip
        raise LogInconsistent(summary, [str(p) for p in report.problems])
    if report.head is None:
        console.print("the log is empty: nothing to verify yet", markup=False)
        return
    h = report.head
    console.print(
        f"log verified: {h.size} leaves, root {h.root_hash.hex()}, signed "
        f"{h.timestamp.isoformat()} by key {report.key_id[:16]}…"
        + (f"; extends your saved head of size {saved.size}" if saved else "")
        + (
            f"; read the {h.size - report.start} leaves after the checkpoint of size {report.start}"
            if report.start
            else ""
        ),
        markup=False,
    )
    if where:
        console.print(f"{operator}'s feed matches the digest logged in {where}", markup=False)
    if fetched is not None:
        console.print(f"{fetched} public document(s) downloaded hash to their logged digests",
                      markup=False)  # fmt: skip
    if save is not None:
        assert report.head is not None
        _save(save, report.head, report.key_id)
        console.print(f"saved the newest head to {save}", markup=False)
    if checkpoint is not None:
        _save_checkpoint(checkpoint, report, reached)
        console.print(f"saved the checkpoint to {checkpoint}", markup=False)


def _fetch_documents(http: HttpSource, report: Report) -> int:
    """Download each public order's document that the verified leaves record (an
    `order.document` event with a file name: a confidential order's leaf has none, and
    its documents are not public) and check its digest; problems go into `report` at the
    leaf. Returns how many were downloaded and matched."""
    matched = 0
    for offset, data in enumerate(report.data):
        if '"order.document"' not in data:
            continue
        record = json.loads(data)
        event = record.get("event") if record.get("type") == "event" else None
        if not isinstance(event, dict) or event.get("kind") != "order.document":
            continue
        if event.get("filename") is None:
            continue
        index, digest = report.start + offset, str(event.get("sha256"))
        path = f"/api/public/orders/{int(event['order_id'])}/documents/{digest}"
        try:
            body = http.content(path)
        except Unreachable as exc:
            report.add(index, f"document {digest}: {exc.summary}")
            continue
        found = hashlib.sha256(body).hexdigest()
        if found != digest:
            report.add(index, f"document {digest}: the server sends content that hashes to "
                              f"{found}")  # fmt: skip
            continue
        matched += 1
    return matched


def _logged_serial(
    source: HttpSource, report: Report, operator: str, serial: int
) -> tuple[int, str] | None:
    """The leaf of an operator's serial read from the server, proven in the verified head."""
    try:
        leaf = source.get(f"/api/log/feeds/{operator}/{serial}")
    except Unreachable as exc:
        if exc.status == 404:
            return None
        raise
    assert report.head is not None
    proof = source.get("/api/log/proof/inclusion", index=leaf["index"], size=report.head.size)
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    why = check_inclusion(
        source.keys().key_for(report.head.size),
        report.head,
        int(leaf["index"]),
        str(leaf["data"]),
        path,
    )
    if why is not None:
        report.add(int(leaf["index"]), why)
        return None
    return int(leaf["index"]), str(leaf["data"])


def _extends(source: HttpSource, saved: TreeHead, newest: TreeHead) -> str | None:
    """Why `newest` is not an extension of the `saved` head (None: it is)."""
    if not verify_head(chain_of(source).key_for(saved.size), saved):
        return f"your saved head (size {saved.size}) is not signed by the log's key"
    if saved.size > newest.size:
        return f"the log shrank from {saved.size} leaves (your saved head) to {newest.size}"
    proof = [] if saved.size == newest.size else source.consistency(saved.size, newest.size)
    if not verify_consistency(saved.size, newest.size, saved.root_hash, newest.root_hash, proof):
        return (f"the log's newest head (size {newest.size}) does not extend your saved head "
                f"(size {saved.size}): its history was rewritten")  # fmt: skip
    return None


@app.command("rotate-key")
def rotate_key(
    ctx: typer.Context,
    new_key: Annotated[
        Path,
        typer.Option(
            "--new-key",
            metavar="PATH",
            help="The key signing passes to: created there (Ed25519, mode 0600) unless a "
            "key is there already — as it is when every process was given it beforehand "
            "with --log-next-key.",
        ),
    ],
) -> None:
    """Hand the log's signing over to a new key, without a gap: one leaf, signed by the key
    in force (--log-key), holding the new key and its signature over this place in the
    log; every later head is signed by the new key. Processes given the new key as
    --log-next-key before go on writing; the others are refused until given it."""
    from arret import keyfile
    from arret.keyfile import KeyFile

    e = env(ctx)
    require_current(e.engine)
    created = keyfile.create(new_key)
    fresh = KeyFile(new_key)
    with e.transaction() as conn:
        handover = log_service.hand_over(conn, fresh, e.clock.now())
    console.print(
        f"{'created' if created else 'using'} {new_key}; the log's key is now "
        f"{key_id(handover.new)[:16]}… (was {key_id(handover.old)[:16]}…): leaf "
        f"{handover.size} hands over, heads from size {handover.first_size} on are signed by "
        f"the new key. Every process that writes needs {new_key} now (--log-key, or "
        "--log-next-key until restarted with it).",
        markup=False,
    )


@app.command("check-zone")
def check_zone(
    zone_file: Annotated[Path, typer.Argument(metavar="FILE", help="The zone file to check.")],
    server: Annotated[str, typer.Option(metavar="URL", help="The Arrêt server.")],
    operator: Annotated[str, typer.Option(metavar="NAME", help="Whose feed this is.")],
    token: Annotated[
        str,
        typer.Option(metavar="TOKEN", envvar="ARRET_TOKEN", help="The operator's token."),
    ],
    key: Annotated[
        str | None, typer.Option("--key-id", metavar="HEX", help="The log key to expect.")
    ] = None,
    head: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="The newest head seen so far: the log must extend it; updated when the "
            "zone is accepted (created the first time).",
        ),
    ] = None,
) -> None:
    """Before loading a zone: is it exactly the policy logged for its serial, in a tree
    head signed by the log's key that extends the head seen last time? Exits 0 only then
    (for a check-before-load script)."""
    origin = dns.name.from_text(FeedSettings().zone(operator))
    try:
        held = log_service.entries_of(dns.zone.from_file(str(zone_file), origin, relativize=True))
    except (dns.exception.DNSException, OSError) as exc:
        raise ArretError(f"cannot read the zone file {zone_file}: {exc}") from None
    source = HttpSource(server, token)
    chain = source.keys()
    if key is not None and key.lower() not in chain.ids():
        raise LogInconsistent(f"the log is signed by key {key_id(chain.current)}, not by {key}")
    newest = source.head()
    if newest is None:
        raise LogInconsistent("the log is empty: no serial can be checked")
    public = chain.key_for(newest.size)
    if not verify_head(public, newest):
        raise LogInconsistent(f"do NOT load {zone_file}: the newest tree head's signature "
                              "does not verify")  # fmt: skip
    saved = _read_saved(head)
    if saved is not None:
        why = _extends(source, saved, newest)
        if why is not None:
            raise LogInconsistent(f"do NOT load {zone_file}: {why}")
    try:
        leaf = source.get(f"/api/log/feeds/{operator}/{held.serial}")
    except Unreachable as exc:
        if exc.status != 404:
            raise
        raise LogInconsistent(
            f"do NOT load {zone_file}: serial {held.serial} of {operator} is not in the log"
        ) from None
    proof = source.get("/api/log/proof/inclusion", index=leaf["index"], size=newest.size)
    why = check_inclusion(public, newest, int(leaf["index"]), str(leaf["data"]),
                          [bytes.fromhex(h) for h in proof["audit_path"]])  # fmt: skip
    secret = log_service.secret_from_json(source.get(f"/api/operators/{operator}/feed/digest-salt"))
    why = why or log_service.check_held(secret, held, json.loads(leaf["data"]))
    if why is not None:
        raise LogInconsistent(f"do NOT load {zone_file}: {why}")
    if head is not None:
        _save(head, newest, key_id(public))
    console.print(
        f"{zone_file}: serial {held.serial}, {len(held.entries)} entries, is the policy "
        f"logged in leaf {leaf['index']} (tree of {newest.size}, key {key_id(public)[:16]}…)",
        markup=False,
    )
