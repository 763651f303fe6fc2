"""The policy in the formats of resolvers that cannot pull a Response Policy Zone.

RPZ (`zonefile.lines`, and the feed) is the only exact form. The others lose something,
and say so in their header and in a comment for each rule they cannot express — they
never silently over-block (a bystander below an exact name) nor under-block:

- hosts: names only, no subdomains (a subtree target blocks its name alone), every
  action becomes "no address" (0.0.0.0 and ::);
- Unbound `local-zone`: subtrees exactly; an exact name becomes NODATA for its types
  (a `transparent` zone with one TXT record), since `local-zone` types cover subdomains;
- dnsmasq: `address=/name/` covers the name and every subdomain: subtrees exactly (as
  NXDOMAIN), exact names cannot be expressed and are listed as comments.
"""

from __future__ import annotations

from collections.abc import Iterator

from arret.domain.model import Action, Scope
from arret.domain.policy import Policy
from arret.rpz.zone import FeedSettings


def _header(policy: Policy, form: str, loses: str) -> Iterator[str]:
    yield f"# Arrêt policy of operator {policy.operator} at {policy.at.isoformat()} ({form})"
    yield f"# {loses}"
    yield "# The exact form is the RPZ feed (arret serve) or: arret policy --format rpz"


def hosts(policy: Policy) -> Iterator[str]:
    yield from _header(policy, "hosts file", "subdomains of subtree targets are not covered")
    for name in dict.fromkeys(r.name for r in policy.rules):
        yield f"0.0.0.0 {name}"
        yield f":: {name}"


def unbound(policy: Policy, settings: FeedSettings) -> Iterator[str]:
    yield from _header(policy, "Unbound local-zone", "exact names answer NODATA, not NXDOMAIN")
    yield "server:"
    subtrees = {r.name for r in policy.rules if r.scope is Scope.SUBTREE}
    for rule in policy.rules:
        name = f"{rule.name}."
        if rule.scope is Scope.SUBTREE:
            if rule.action is Action.NXDOMAIN:
                yield f'    local-zone: "{name}" always_nxdomain'
            elif rule.action is Action.NODATA:
                yield f'    local-zone: "{name}" always_nodata'
            else:
                yield f'    local-zone: "{name}" redirect'
                yield f'    local-data: "{name} {settings.ttl} IN CNAME {settings.notice_host}"'
        elif rule.name not in subtrees:
            orders = " ".join(map(str, rule.orders))
            yield f'    local-zone: "{name}" transparent'
            yield f'    local-data: "{name} {settings.ttl} IN TXT \\"blocked by order {orders}\\""'
    for name in policy.passthru:
        yield f'    local-zone: "{name}." always_transparent'


def dnsmasq(policy: Policy) -> Iterator[str]:
    yield from _header(policy, "dnsmasq", "exact names cannot be expressed; listed below")
    subtrees = {r.name for r in policy.rules if r.scope is Scope.SUBTREE}
    for rule in policy.rules:
        if rule.scope is Scope.SUBTREE:
            yield f"address=/{rule.name}/"
        elif rule.name not in subtrees:
            yield f"# not expressible (exact name only): {rule.name}"
    for name in policy.passthru:
        yield f"# not expressible (allow-listed inside a blocked subtree): {name}"
