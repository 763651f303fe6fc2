"""`arret order attach`: a decision document or a piece of evidence attached to an order,
and `arret order document`: one written back to a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from arret import views
from arret.cli.context import env
from arret.cli.options import Actor, Json, actor_of
from arret.cli.output import print_json, say
from arret.domain.instants import parse_instant
from arret.errors import ArretError
from arret.services import documents


def attach(
    ctx: typer.Context,
    order_id: Annotated[int, typer.Argument(metavar="ID")],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The document (- for stdin).")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            metavar="decision|evidence",
            help="decision: the decision itself (PDF); evidence: what a target showed "
            "(PDF, PNG, JPEG or plain text), with --target.",
        ),
    ],
    target: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="The target of the order the evidence is about."),
    ] = None,
    captured_at: Annotated[
        str | None,
        typer.Option(metavar="DATETIME", help="When the evidence was captured."),
    ] = None,
    captured_by: Annotated[
        str | None, typer.Option(metavar="WHO", help="Who captured the evidence.")
    ] = None,
    actor: Actor = None,
    json: Json = False,
) -> None:
    """Attach a document to an order: its type is read from its content (PDF, PNG, JPEG,
    plain text; never HTML) and must agree with its name's extension; its SHA-256 goes
    into the transparency log."""
    e = env(ctx)
    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    except OSError as exc:
        raise ArretError(f"cannot read {str(file)!r}: {exc.strerror or exc}") from None
    upload = documents.Upload(
        data,
        kind,
        filename=None if str(file) == "-" else file.name,
        target=target,
        captured_at=parse_instant(captured_at) if captured_at else None,
        captured_by=captured_by,
    )
    with e.transaction() as conn:
        done = documents.attach(conn, order_id, upload, e.clock.now(), actor_of(actor),
                                e.documents)  # fmt: skip
    if json:
        print_json(views.document(done))
        return
    about = f" about {done.target}" if done.target else ""
    say(
        f"order {order_id}: {done.kind.value}{about} attached, {done.media_type}, "
        f"{done.size:,} bytes, sha256 {done.sha256}"
    )


def document(
    ctx: typer.Context,
    order_id: Annotated[int, typer.Argument(metavar="ID")],
    sha256: Annotated[str, typer.Argument(metavar="SHA256")],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="Where to write it (- stdout).")
    ],
) -> None:
    """Write a document of an order to a file, its content checked against its digest."""
    e = env(ctx)
    with e.transaction() as conn:
        _found, data = documents.read(conn, order_id, sha256, e.documents)
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise ArretError(f"cannot write {str(output)!r}: {exc.strerror or exc}") from None
