"""Which names can be a QNAME trigger of a policy feed: what a blocking order can mean.

A target (or an allow-list entry) becomes an owner name in each operator's Response
Policy Zone. RPZ reads some owners as something other than "this name": an owner ending
in `rpz-ip` matches every answer holding an address, `rpz-client-ip` every query from a
client, `rpz-nsdname` and `rpz-nsip` every name served by a name server
(draft-vixie-dnsop-dns-rpz §4). One such "name" would block a whole network or a whole
customer — nothing a court names as a site. And some names are no one's site: the
special-use names of RFC 6761 and its successors resolve locally or never, so an order
cannot be about them.

Names here are normalized (`arret.domain.names.normalize`: lowercase A-labels, no
trailing dot); these functions only read them.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["SPECIAL_USE", "reserved_problem", "trigger_problem"]

#: Any label starting so is refused wherever it stands. The four trigger suffixes are the
#: ones resolvers interpret today, but RPZ reserves the whole `rpz-` prefix for its own
#: meanings (CNAME targets `rpz-passthru.`, `rpz-drop.`, `rpz-tcp-only.` too), and BIND and
#: Unbound read a trigger relative to the zone origin, so a label anywhere in a name is a
#: label somewhere in an owner.
RPZ_PREFIX = "rpz-"

#: Top-level labels of the IANA Special-Use Domain Names registry (RFC 6761 §6: test,
#: localhost, invalid; RFC 6762: local; RFC 7686: onion; RFC 9476: alt) and `arpa`, the
#: infrastructure domain (RFC 3172) that holds the reverse zones in-addr.arpa and ip6.arpa
#: (a name there is an address in disguise) and home.arpa (RFC 8375), resolver.arpa
#: (RFC 9462), ipv4only.arpa (RFC 8880). None is a registrable site.
#: `example` (RFC 2606 / RFC 6761 §6.5) is reserved too, but left out on purpose: it is
#: the documentation name, used by the demo, the tests and every example in the docs, and
#: a resolver that carries an order for `leak.example` harms no one.
SPECIAL_USE = frozenset({"alt", "arpa", "invalid", "local", "localhost", "onion", "test"})


def trigger_problem(name: str) -> str | None:
    """Why `name` cannot be a QNAME trigger of a registrable site, or None if it can."""
    if RPZ_PREFIX in name:
        for label in name.split("."):
            if label.startswith(RPZ_PREFIX):
                return (
                    f"label {label!r} starts with 'rpz-', which Response Policy Zones reserve "
                    "for their own triggers (rpz-ip, rpz-client-ip, rpz-nsdname, rpz-nsip "
                    "block by address, by client or by name server, not by name) — only DNS "
                    "names of sites can be blocked"
                )
    top = name.rpartition(".")[2]
    if top in SPECIAL_USE:
        return (
            f"a special-use name ('.{top}', IANA Special-Use Domain Names, RFC 6761): it "
            "names no registrable site, so no resolver feed may carry it — give the site's "
            "DNS name in the public DNS"
        )
    return None


def reserved_problem(name: str, reserved: Iterable[tuple[str, str]]) -> str | None:
    """Why `name` may not be given because it is, or lies below, one of the feed's own
    names (`reserved`: `(name, what it is)` pairs, normalized), or None."""
    for own, what in reserved:
        if name == own or name.endswith("." + own):
            where = "is" if name == own else f"lies below {own!r},"
            return (
                f"{where} {what}; Arrêt's own names are never blocked nor allow-listed — "
                "give the site's DNS name"
            )
    return None


def covered_reserved(name: str, reserved: Iterable[tuple[str, str]]) -> str | None:
    """Why a target `name` may not be given because one of the feed's own names lies
    below it (a notice host `notice.example.org` under a target `example.org`): blocking
    it would block the page that explains every block, or the feed itself. Only targets
    are refused so; an allow-list entry above them protects them, which is harmless."""
    for own, what in reserved:
        if own.endswith("." + name):
            return (
                f"would block {own!r}, {what}; give a notice host outside the blocked "
                "site (arret serve --notice-host), or block the site's other names"
            )
    return None
