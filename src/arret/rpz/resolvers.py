"""Ready-to-paste configuration that makes each resolver pull an operator's feed.

What each snippet does, and why (measured on Debian 12, see ../shared/design/PEERS.md):

- Unbound 1.17 cannot sign zone transfers with TSIG: the feed admits it by its source
  address (`--allow-from`). `zonefile:` makes it load its saved copy first, so it fails
  closed at start-up instead of answering unfiltered until the first transfer completes.
- BIND applies RPZ changes at most every `min-update-interval` (60 s by default): set to 0
  so a mirror added by amendment is enforced within the second.
- PowerDNS Recursor 4.8 refreshes an RPZ only on its timer (NOTIFY does not trigger it),
  so `refresh` is short; it can attach Extended DNS Error 16 "Censored" with a text.
- Knot Resolver 5 reads RPZ only from a file: `arret feed sync` keeps that file current.
"""

from __future__ import annotations

from enum import StrEnum

from arret.domain.model import OperatorKey
from arret.rpz.zone import FeedSettings


class Resolver(StrEnum):
    UNBOUND = "unbound"
    BIND = "bind"
    POWERDNS = "powerdns"
    KNOT_RESOLVER = "knot-resolver"


def split_endpoint(endpoint: str) -> tuple[str, int]:
    """`IP:PORT` or `[IPv6]:PORT` (as `check_endpoint` writes them) → (IP, port)."""
    host, _, port = endpoint.rpartition(":")
    return host.strip("[]"), int(port)


def snippet(
    resolver: Resolver,
    operator: str,
    key: OperatorKey | None,
    server: str,
    settings: FeedSettings,
    directory: str,
    register_url: str,
) -> str:
    zone = settings.zone(operator)
    host, port = split_endpoint(server)
    cache = f"{directory}/{zone}zone"
    if resolver is Resolver.UNBOUND:
        return f"""# Arrêt feed of operator {operator} for Unbound.
# Unbound cannot sign zone transfers: the feed admits this resolver by its source
# address; declare it on the feed side with
#   arret operator edit {operator} --allow-from <this resolver's address>/32
server:
    module-config: "respip validator iterator"
rpz:
    name: "{zone}"
    primary: {host}@{port}
    allow-notify: {host}@{port}
    # The saved copy is loaded at start-up: without it Unbound answers unfiltered until
    # the first transfer completes.
    zonefile: "{cache}"
    rpz-log: yes
    rpz-log-name: "arret-{operator}"
"""
    if key is None:
        raise ValueError(f"operator {operator} has no valid TSIG key")
    if resolver is Resolver.BIND:
        return f"""// Arrêt feed of operator {operator} for BIND 9.
key "{key.name}" {{
    algorithm {key.algorithm};
    secret "{key.secret}";
}};
// Inside your options {{ ... }} block:
//   response-policy {{ zone "{zone}" log yes min-update-interval 0; }} qname-wait-recurse no;
zone "{zone.rstrip(".")}" {{
    type secondary;
    primaries {{ {host} port {port} key "{key.name}"; }};
    allow-notify {{ {host}; }};
    file "{cache}";
}};
"""
    if resolver is Resolver.POWERDNS:
        return f"""-- Arrêt feed of operator {operator} for PowerDNS Recursor (lua-config-file).
-- NOTIFY does not refresh an RPZ in 4.8: `refresh` bounds how late a change arrives.
rpzPrimary("{server}", "{zone}", {{
    tsigname = "{key.name}", tsigalgo = "{key.algorithm}", tsigsecret = "{key.secret}",
    refresh = {settings.refresh},
    dumpFile = "{cache}", seedFile = "{cache}",
    extendedErrorCode = 16,
    extendedErrorExtra = "blocked by a legal order: see {register_url}",
}})
"""
    return f"""-- Arrêt feed of operator {operator} for Knot Resolver 5 (reads RPZ files only).
-- Keep the file current with (run it as a service):
--   arret feed sync --server {server} --zone {zone} --key-name {key.name} \\
--       --key-secret {key.secret} --out {cache}
-- (kresd watches the file when lua-cqueues is installed)
modules = {{ 'policy' }}
policy.add(policy.rpz(policy.DENY_MSG('blocked by a legal order: see {register_url}'),
                      '{cache}', true))
"""
