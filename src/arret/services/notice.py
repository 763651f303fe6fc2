"""The notice page's question: is this name blocked now, and by which order?

A name is blocked at `at` by every order in force then with a present target that is the
name itself, or a parent of it with scope `subtree` — unless the name (or a parent) is
on the allow-list. Which operator's resolvers answered does not matter to the person who
reads the page: every order that blocks the name is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from arret.domain import names
from arret.domain.model import Action, Order, Scope, Target
from arret.errors import InvalidName
from arret.services.registry import current_allowed
from arret.store import registry as store


@dataclass(frozen=True)
class Block:
    order: Order
    target: Target
    action: Action


@dataclass(frozen=True)
class Answer:
    #: The name as asked (normalised to an A-label).
    name: str
    blocks: tuple[Block, ...]
    #: The allow-list entry that shields the name, if one does.
    allowed_by: str | None = None


def lookup(conn: Connection, text: str, at: datetime) -> Answer:
    name = names.normalize(text)
    labels = name.split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels))]
    shield = next((c for c in candidates if c in current_allowed(conn, at)), None)
    if shield is not None:
        return Answer(name, (), shield)
    blocks = []
    for order_id in store.orders_naming(conn, candidates):
        order = store.load_order(conn, order_id)
        if not order.in_force_at(at):
            continue
        for target in order.targets_at(at):
            if target.name == name or (
                target.scope is Scope.SUBTREE and names.is_under(name, target.name)
            ):
                blocks.append(Block(order, target, order.action_of(target)))
    return Answer(name, tuple(blocks))


def checked_host(host: str) -> str | None:
    """The name in an HTTP `Host` header (port removed), or None if it is not a name."""
    hostname = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    hostname = hostname.strip().rstrip(".").lower()
    if not hostname or hostname.startswith("["):
        return None
    try:
        return names.normalize(hostname)
    except InvalidName:
        return None
