"""`arret order …`: register, amend, lift, list and show blocking orders."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from arret import views
from arret.cli import documents as documents_cli
from arret.cli import summary
from arret.cli.context import env
from arret.cli.options import Actor, At, Json, actor_of, instant
from arret.cli.output import print_fields, print_json, print_table, say
from arret.cli.progress import shown
from arret.collector import collector_paused
from arret.domain.instants import parse_instant
from arret.domain.lifecycle import TypedOrder, parse_draft, parse_instants, parse_target_lines
from arret.domain.model import Action, Scope, Status, TargetSpec
from arret.errors import ArretError, InvalidTargets
from arret.services import documents, queries, registry

app = typer.Typer(no_args_is_help=True, help="Blocking orders: register, amend, lift, read.")
app.command("attach")(documents_cli.attach)
app.command("document")(documents_cli.document)

Yes = Annotated[
    bool,
    typer.Option(
        "--yes",
        help="Apply a change of more names than --confirm-above (default 100) without "
        "asking; without it such a change is refused (exit status 10).",
    ),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Check and plan the change, print it; write nothing.")
]
#: How a refused large change says to confirm it.
CONFIRM_HOW = "run it again with --yes to apply it, or with --dry-run to see its plan"
#: Above this many names given, a change shows its progress on a terminal (below, it
#: takes well under a second, and drawing would only cost the import of rich).
SHOWN_ABOVE = 1_000


def read_targets_file(path: Path, scope: Scope) -> list[TargetSpec]:
    """One target per line: `NAME [exact|subtree] [nxdomain|nodata|notice]`; `#` comments."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArretError(f"cannot read the targets file {str(path)!r}: {exc}") from None
    return parse_target_lines(text, scope, str(path))


#: How `order add` names each field in its errors: by its option.
OPTION_NAMES = {
    "reference": "--reference",
    "authority": "--authority",
    "decided_on": "--decided",
    "effective_at": "--effective",
    "expires_at": "--expires",
    "duration": "--duration",
    "action": "--action",
}


@app.command("add")
def add(
    ctx: typer.Context,
    targets: Annotated[
        list[str] | None, typer.Argument(metavar="TARGET...", help="Names to block.")
    ] = None,
    reference: Annotated[str, typer.Option(help="The case number.")] = "",
    authority: Annotated[str, typer.Option(metavar="WHO", help="Who decided.")] = "",
    requester: Annotated[str, typer.Option(metavar="WHO", help="Who asked for it.")] = "",
    decided: Annotated[str, typer.Option(metavar="DATE", help="Date of the decision.")] = "",
    effective: Annotated[
        str | None, typer.Option(metavar="DATETIME", help="Takes effect at (default: now).")
    ] = None,
    expires: Annotated[str | None, typer.Option(metavar="DATETIME", help="Ends at.")] = None,
    duration: Annotated[
        str | None, typer.Option(metavar="18mo|90d", help="Ends this long after it takes effect.")
    ] = None,
    operator: Annotated[
        list[str] | None, typer.Option(metavar="NAME", help="An addressed operator.")
    ] = None,
    all_operators: Annotated[
        bool, typer.Option(help="Address every operator, including those added later.")
    ] = False,
    action: Annotated[Action, typer.Option(case_sensitive=False)] = Action.NXDOMAIN,
    exact: Annotated[
        bool, typer.Option(help="Block only the names given, not the names below them.")
    ] = False,
    confidential: Annotated[
        bool, typer.Option(help="Show the names in public only as counts.")
    ] = False,
    notice: Annotated[str, typer.Option(metavar="TEXT", help="Shown to blocked users.")] = "",
    basis: Annotated[str, typer.Option(metavar="TEXT", help="The legal basis.")] = "",
    targets_file: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="One target per line: NAME [exact|subtree] [ACTION]."),
    ] = None,
    actor: Actor = None,
    yes: Yes = False,
    dry_run: DryRun = False,
    json: Json = False,
) -> None:
    """Register an order; prints one line saying what was registered (`order ID
    registered: …`), or with --json the same as an object with its `id`. Refused whole if
    anything in it is wrong."""
    started = time.perf_counter()
    e = env(ctx)
    scope = Scope.EXACT if exact else Scope.SUBTREE
    specs = [TargetSpec(t, scope) for t in targets or []]
    problems: list[str] = []
    large = targets_file is not None or len(specs) > SHOWN_ABOVE
    with shown(large and not json) as progress:
        if targets_file is not None:
            progress(f"reading {targets_file}", 0, None)
            try:
                # A file of a million names: a million targets, not in any cycle.
                with collector_paused():
                    specs += read_targets_file(targets_file, scope)
            except InvalidTargets as error:
                problems += error.reasons
        typed = TypedOrder(
            reference=reference,
            authority=authority,
            decided_on=decided,
            targets=tuple(specs),
            operators=tuple(operator or []),
            all_operators=all_operators,
            effective_at=effective or "",
            expires_at=expires or "",
            duration=duration or "",
            requester=requester,
            legal_basis=basis,
            action=action.value,
            confidential=confidential,
            notice=notice,
        )
        draft = parse_draft(typed, OPTION_NAMES, problems)
        confirm = registry.gate(e.confirm_above, yes or dry_run, CONFIRM_HOW)
        with e.rehearsal() if dry_run else e.transaction() as conn:
            done = registry.registration(
                conn, draft, e.clock.now(), actor_of(actor), confirm, progress
            )
            if not dry_run:
                progress("committing", 0, None)
    if dry_run:
        line, data = summary.would_register(done.event)
    else:
        line, data = summary.registered(done, time.perf_counter() - started)
    report(line, data, json)


@app.command("amend")
def amend(
    ctx: typer.Context,
    order_id: Annotated[int, typer.Argument(metavar="ID")],
    add: Annotated[
        list[str] | None, typer.Option("--add", metavar="TARGET", help="A name to add (mirror).")
    ] = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", metavar="TARGET", help="A name to remove.")
    ] = None,
    expires: Annotated[str | None, typer.Option(metavar="DATETIME", help="The new expiry.")] = None,
    exact: Annotated[bool, typer.Option(help="Added names are blocked exactly.")] = False,
    at: Annotated[
        str | None,
        typer.Option(metavar="DATETIME", help="When the amendment takes effect (default: now)."),
    ] = None,
    targets_file: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Names to add, one per line: NAME [exact|subtree] [ACTION]."
        ),
    ] = None,
    actor: Actor = None,
    yes: Yes = False,
    dry_run: DryRun = False,
    json: Json = False,
) -> None:
    """Amend an order: add mirror sites, remove names, change the expiry — each dated.
    Prints one line saying what changed (or with --json the same as an object)."""
    started = time.perf_counter()
    e = env(ctx)
    scope = Scope.EXACT if exact else Scope.SUBTREE
    refused = f"amendment of order {order_id} refused"
    when = parse_instants({"--expires": expires, "--at": at}, refused)
    added = [TargetSpec(t, scope) for t in add or []]
    large = targets_file is not None or len(added) + len(remove or []) > SHOWN_ABOVE
    with shown(large and not json) as progress:
        if targets_file is not None:
            progress(f"reading {targets_file}", 0, None)
            with collector_paused():
                added += read_targets_file(targets_file, scope)
        with e.rehearsal() if dry_run else e.transaction() as conn:
            done = registry.amend_order(
                conn,
                order_id,
                e.clock.now(),
                actor_of(actor),
                add=added,
                remove=remove or [],
                expires_at=when["--expires"],
                at=when["--at"],
                confirm=registry.gate(e.confirm_above, yes or dry_run, CONFIRM_HOW),
                progress=progress,
            )
            if not dry_run:
                progress("committing", 0, None)
    line, data = summary.amended(done, dry_run, time.perf_counter() - started)
    report(line, data, json)


def report(line: str, data: dict[str, Any], json: bool) -> None:
    """A write's result: its one line for people, or with --json the same as an object
    (`summary` holding the line)."""
    if json:
        print_json(data | {"summary": line})
    else:
        say(line)


@app.command("lift")
def lift(
    ctx: typer.Context,
    order_id: Annotated[int, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option(help="Why the order is lifted (public).")],
    at: Annotated[
        str | None, typer.Option(metavar="DATETIME", help="When it is lifted (default: now).")
    ] = None,
    actor: Actor = None,
    json: Json = False,
) -> None:
    """Lift an order before its expiry; prints one line saying when it ends and the
    serials that carry it to the resolvers (`order ID lifted at …`), or with --json the
    same as an object with its `id`."""
    started = time.perf_counter()
    e = env(ctx)
    now = e.clock.now()
    # An order of any size: a million names take a minute to take out of every zone.
    with shown(not json) as progress, e.transaction() as conn:
        done = registry.lift_order(
            conn, order_id, now, actor_of(actor), reason, parse_instant(at) if at else None,
            progress,
        )  # fmt: skip
        progress("committing", 0, None)
    line, data = summary.lifted(done, now, time.perf_counter() - started)
    report(line, data, json)


@app.command("list")
def list_(
    ctx: typer.Context,
    at: At = None,
    status: Annotated[Status | None, typer.Option(case_sensitive=False)] = None,
    operator: Annotated[str | None, typer.Option(metavar="NAME")] = None,
    json: Json = False,
) -> None:
    """List orders with their status at --at."""
    e = env(ctx)
    when = instant(at, e.clock)
    with e.transaction() as conn:
        found = queries.orders_at(conn, when, operator, status)
    summaries = [views.order_summary(f.order, when, f.names) for f in found]
    if json:
        print_json(summaries)
        return
    rows = [
        (
            s["id"],
            s["reference"],
            s["authority"],
            s["status"],
            s["effective_at"],
            s["lifted_at"] or s["expires_at"],
            s["operators"] if isinstance(s["operators"], str) else " ".join(s["operators"]),
            s["names"],
        )
        for s in summaries
    ]
    print_table(
        f"orders at {views.when(when)}",
        ["id", "reference", "authority", "status", "effective", "ends", "operators", "names"],
        rows,
    )


@app.command("show")
def show(
    ctx: typer.Context,
    order_id: Annotated[int, typer.Argument(metavar="ID")],
    at: At = None,
    json: Json = False,
) -> None:
    """Show an order: its terms, its targets with their dates, and its full history."""
    e = env(ctx)
    when = instant(at, e.clock)
    with e.transaction() as conn:
        full = queries.order_in_full(conn, order_id)
        attached = documents.of_order(conn, order_id)
    order, events = full.order, full.history
    summary = views.order_summary(order, when, len(order.targets_at(when)))
    targets = [views.target(order, t) for t in order.targets]
    history = [views.history_entry(seq, rec, ev) for seq, rec, ev in events]
    carried = [views.document(d) for d in attached]
    if json:
        print_json(summary | {"targets": targets, "documents": carried, "history": history})
        return
    print_fields(
        [
            (k.replace("_", " "), (" ".join(v) if isinstance(v, list) else v))
            for k, v in summary.items()
        ]
    )
    print_table(
        "targets",
        ["name", "scope", "action", "added", "removed"],
        [(t["name"], t["scope"], t["action"], t["added_at"], t["removed_at"]) for t in targets],
    )
    if carried:
        print_table(
            "documents",
            ["kind", "target", "type", "bytes", "file", "sha256"],
            [(d["kind"], d["target"] or "", d["media_type"], d["size"], d["filename"],
              d["sha256"]) for d in carried],
        )  # fmt: skip
    print_table(
        "history",
        ["#", "at", "event", "by", "recorded", "detail"],
        [(h["seq"], h["at"], h["kind"], h["actor"], h["recorded_at"], _detail(h)) for h in history],
    )


def _detail(entry: dict[str, object]) -> str:
    kind = entry["kind"]
    if kind == "order.registered":
        targets = entry["targets"]
        assert isinstance(targets, list)
        return f"{len(targets)} target(s); ends {entry['expires_at']}"
    if kind == "order.amended":
        parts = []
        added, removed = entry["added"], entry["removed"]
        assert isinstance(added, list) and isinstance(removed, list)
        if added:
            parts.append("added " + " ".join(t["name"] for t in added))
        if removed:
            parts.append("removed " + " ".join(removed))
        if entry["expires_at"]:
            parts.append(f"expiry now {entry['expires_at']}")
        return "; ".join(parts)
    if kind == "order.document":
        about = f" about {entry['target']}" if entry["target"] else ""
        return f"{entry['document']}{about}: sha256 {entry['sha256']}"
    return f"reason: {entry.get('reason', '')}"
