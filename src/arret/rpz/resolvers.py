"""Ready-to-paste configuration that makes each resolver (or secondary) pull an operator's
feed, with the settings that bring it closest to the instants of the orders, and the
bound each one achieves stated in the snippet itself.

What each snippet does, and why (measured on Debian 12; figures in docs/operators.md):

- Unbound 1.17 cannot sign zone transfers with TSIG: the feed admits it by its source
  address (`--allow-from`). It fetches the moment a NOTIFY arrives. `zonefile:` makes it
  load its saved copy first, so it fails closed at start-up instead of answering
  unfiltered until the first transfer completes. It has no setting to refresh more often
  than the zone's SOA refresh (60 s), which bounds it only when a NOTIFY is lost.
- BIND (as RPZ resolver or plain secondary) fetches on NOTIFY; after a lost NOTIFY it
  refreshes on the SOA timers clamped to `min-`/`max-refresh-time` and
  `min-`/`max-retry-time`, whose defaults (300 s / 500 s minimum) would override the
  feed's 60/30 s: the snippet caps them at 10 s. It applies RPZ changes at most every
  `min-update-interval` (60 s by default): set to 0.
- Knot DNS and NSD as secondaries fetch on NOTIFY; their refresh is capped the same way
  (`refresh-max-interval`/`retry-max-interval`, `max-refresh-time`/`max-retry-time`).
- PowerDNS Recursor 4.8 ignores NOTIFY for an RPZ: it asks for changes every `refresh`
  seconds, counted from its own start, so a change waits up to `refresh` s. Its packet
  cache then serves answers cached before the change (and blocked answers after it) for
  up to `packetcache-ttl` s. Both are printed small; the bound is their sum plus the
  transfer. Its Extended DNS Error is set per RPZ zone and is attached to every hit of
  that zone, passthru included, so an allow-listed name would be answered with its real
  address *and* "Censored": the snippet sets no EDE.
- Knot Resolver 5.6 reads RPZ only from a file, which `arret feed sync` keeps current.
  It ignores a CNAME to a custom target (the `notice` action), so `feed sync` writes the
  notice host's addresses as local data instead (`--notice-address`), or NXDOMAIN when
  none is given: a notice order is never left unenforced. Its `policy.DENY` answers carry
  a negative TTL of 10800 s (hard-coded in policy.lua), so the snippet blocks with its
  own NXDOMAIN action whose SOA has the feed's TTL.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from arret.domain.model import OperatorKey
from arret.rpz.zone import FeedSettings


class Resolver(StrEnum):
    UNBOUND = "unbound"
    BIND = "bind"
    POWERDNS = "powerdns"
    KNOT_RESOLVER = "knot-resolver"
    KNOT = "knot"
    NSD = "nsd"
    BIND_SECONDARY = "bind-secondary"


#: Secondaries (the ISP's distribution tier): they hold a copy of the zone, not a policy.
SECONDARIES = frozenset({Resolver.KNOT, Resolver.NSD, Resolver.BIND_SECONDARY})

#: Where each resolver may write by default on Debian: its AppArmor profile (named,
#: unbound) or its package's state directory (the others).
DEFAULT_DIRECTORY: dict[Resolver, str] = {
    Resolver.UNBOUND: "/var/lib/unbound",
    Resolver.BIND: "/var/cache/bind",
    Resolver.BIND_SECONDARY: "/var/cache/bind",
    Resolver.POWERDNS: "/var/lib/pdns-recursor",
    Resolver.KNOT_RESOLVER: "/var/lib/knot-resolver",
    Resolver.KNOT: "/var/lib/knot",
    Resolver.NSD: "/var/lib/nsd",
}


@dataclass(frozen=True)
class Timing:
    """The knobs the snippets print, and the bounds (seconds between an order's instant and
    the resolver's answers changing) they achieve."""

    #: BIND, Knot DNS, NSD: refresh and retry at most this often without a NOTIFY.
    max_refresh: int = 10
    #: PowerDNS Recursor: the RPZ `refresh` (it ignores NOTIFY) and the packet cache cap.
    powerdns_refresh: int = 4
    powerdns_packetcache_ttl: int = 2
    #: `arret feed sync` for Knot Resolver: how often it asks for changes.
    sync_interval: float = 2.0
    #: NOTIFY, transfer and reload: measured 0.1 to 0.3 s, claimed 1 s.
    notified: int = 1

    def bound(self, resolver: Resolver) -> int:
        """Seconds within which `resolver`'s answers follow an instant, as configured."""
        if resolver is Resolver.POWERDNS:
            # A change waits for the next refresh, then the packet cache expires; the
            # transfer and the timer's own drift take up to 2 s more.
            return self.powerdns_refresh + self.powerdns_packetcache_ttl + 2
        if resolver is Resolver.KNOT_RESOLVER:
            # The next sync, its transfer and the file's reload by kresd.
            return int(self.sync_interval) + 2
        return self.notified

    def lost_notify_bound(self, resolver: Resolver, settings: FeedSettings) -> int | None:
        """The bound when a NOTIFY is lost (None: the resolver does not rely on NOTIFY)."""
        if resolver is Resolver.UNBOUND:
            return settings.refresh + self.notified
        if resolver in (Resolver.POWERDNS, Resolver.KNOT_RESOLVER):
            return None
        # The capped refresh, then the SOA query and the transfer (measured up to 10.1 s).
        return self.max_refresh + 2


TIMING = Timing()

_SAFE_PATH = re.compile(r"/[A-Za-z0-9._/+-]*")


def directory_problem(directory: str) -> str | None:
    """Why `directory` cannot be written into a resolver configuration, or None. It lands
    between quotes in configuration files and on a command line: plain characters only."""
    if not directory.startswith("/"):
        return f"--dir {directory!r} is not an absolute path"
    if _SAFE_PATH.fullmatch(directory) is None:
        return (
            f"--dir {directory!r} holds a character that is not safe in a configuration "
            "file (letters, digits and . _ / + - only)"
        )
    return None


def zone_file(resolver: Resolver, operator: str, directory: str, settings: FeedSettings) -> str:
    """The resolver's copy of the zone: one name per operator *and* kind, so two resolvers
    on one host never overwrite each other's copy."""
    return f"{directory.rstrip('/') or ''}/{settings.zone(operator)}{resolver.value}.zone"


def lua_text(text: str, limit: int = 200) -> str:
    """`text` safe between single quotes in Lua: printable, no quote or backslash."""
    return "".join(c for c in text if c.isprintable() and c not in "'\\")[:limit]


def split_endpoint(endpoint: str) -> tuple[str, int]:
    """`IP:PORT` or `[IPv6]:PORT` (as `check_endpoint` writes them) → (IP, port)."""
    host, _, port = endpoint.rpartition(":")
    return host.strip("[]"), int(port)


#: How each resolver uses several primaries, said in its snippet when there are several.
FAILOVER: dict[Resolver, str] = {
    Resolver.UNBOUND: "Unbound asks them in turn until one answers, and takes a NOTIFY from each.",
    Resolver.BIND: "BIND asks them in the order listed until one answers, and takes a "
    "NOTIFY from each.",
    Resolver.BIND_SECONDARY: "BIND asks them in the order listed until one answers, and "
    "takes a NOTIFY from each.",
    Resolver.KNOT: "Knot asks the remotes of `master` in turn until one answers, and takes "
    "a NOTIFY from each.",
    Resolver.NSD: "NSD asks each `request-xfr` primary in turn until one answers, and takes "
    "a NOTIFY from each.",
    Resolver.POWERDNS: "PowerDNS Recursor tries them in the order given until one answers.",
    Resolver.KNOT_RESOLVER: "`arret feed sync` keeps to the one that answered last and "
    "moves to the next when it fails.",
}


def snippet(
    resolver: Resolver,
    operator: str,
    key: OperatorKey | None,
    servers: str | Sequence[str],
    settings: FeedSettings,
    directory: str,
    register_url: str,
    timing: Timing = TIMING,
    notice_addresses: Sequence[str] = (),
) -> str:
    """The snippet for `resolver` pulling from `servers` (every instance of `arret serve`
    serving this feed, the preferred first: the resolver fails over to the next and takes
    NOTIFY from each); `notice_addresses` (Knot Resolver only) are the notice host's
    addresses, which `arret feed sync` writes in place of the notice CNAME."""
    endpoints = [servers] if isinstance(servers, str) else list(servers)
    if not endpoints:
        raise ValueError("a snippet needs at least one server")
    primaries = [split_endpoint(e) for e in endpoints]
    text = _snippet(resolver, operator, key, endpoints, primaries, settings, directory,
                    register_url, timing, notice_addresses)  # fmt: skip
    if len(endpoints) == 1:
        return text
    mark = (
        "//"
        if resolver in (Resolver.BIND, Resolver.BIND_SECONDARY)
        else ("--" if resolver in (Resolver.POWERDNS, Resolver.KNOT_RESOLVER) else "#")
    )
    said = textwrap.wrap(
        f"Primaries, every instance of the feed: {', '.join(endpoints)}. {FAILOVER[resolver]}",
        width=88, initial_indent=f"{mark} ", subsequent_indent=f"{mark} ",
        break_on_hyphens=False, break_long_words=False,
    )  # fmt: skip
    before, bound, after = text.partition(f"{mark} Arrêt bound:")
    return before + "\n".join(said) + "\n" + bound + after


def _snippet(
    resolver: Resolver,
    operator: str,
    key: OperatorKey | None,
    endpoints: list[str],
    primaries: list[tuple[str, int]],
    settings: FeedSettings,
    directory: str,
    register_url: str,
    timing: Timing,
    notice_addresses: Sequence[str],
) -> str:
    zone = settings.zone(operator)
    hosts = list(dict.fromkeys(host for host, _ in primaries))
    cache = zone_file(resolver, operator, directory, settings)
    bound = timing.bound(resolver)
    lost = timing.lost_notify_bound(resolver, settings)
    if resolver is Resolver.UNBOUND:
        unbound_primaries = "\n".join(
            [f"    primary: {h}@{p}" for h, p in primaries]
            + [f"    allow-notify: {h}@{p}" for h, p in primaries]
        )
        return f"""# Arrêt feed of operator {operator} for Unbound.
# Arrêt bound: {bound} s. Unbound fetches the moment the feed's NOTIFY arrives: its answers
# follow an order's start or end within {bound} s.
# Arrêt bound if a NOTIFY is lost: {lost} s (the SOA refresh: Unbound has no setting to
# refresh sooner).
# Unbound cannot sign zone transfers: the feed admits this resolver by its source
# address; declare it on the feed side with
#   arret operator edit {operator} --allow-from <this resolver's address>/32 \\
#       --notify <this resolver's address>:53
server:
    module-config: "respip validator iterator"
rpz:
    name: "{zone}"
{unbound_primaries}
    # The saved copy is loaded at start-up: without it Unbound answers unfiltered until
    # the first transfer completes (about 20 s at a million names). Unbound rewrites it
    # after every transfer, and queries wait meanwhile: at a million names up to 3.3 s
    # per change with num-threads: 1, up to 1.7 s with 2 (measured). Run 2 or more; drop
    # this line if those waits matter more than the unfiltered start.
    zonefile: "{cache}"
    rpz-log: yes
    rpz-log-name: "arret-{operator}"
"""
    if key is None:
        raise ValueError(f"operator {operator} has no valid TSIG key")
    if resolver in (Resolver.BIND, Resolver.BIND_SECONDARY):
        role = "an RPZ resolver" if resolver is Resolver.BIND else "a secondary"
        policy = (
            f"""// Inside your options {{ ... }} block:
//   response-policy {{ zone "{zone}" log yes min-update-interval 0; }} qname-wait-recurse no;
"""
            if resolver is Resolver.BIND
            else """// Serve the copy to your resolvers: add allow-transfer { ...; } and
// also-notify { ...; } for them to this zone.
"""
        )
        return f"""// Arrêt feed of operator {operator} for BIND 9 as {role}.
// Arrêt bound: {bound} s. BIND fetches the moment the feed's NOTIFY arrives: its copy
// follows an order's start or end within {bound} s.
// Arrêt bound if a NOTIFY is lost: {lost} s (the refresh and retry caps below replace
// BIND's 300 s / 500 s minimums).
// Declare this server on the feed side with
//   arret operator edit {operator} --notify <this server's address>:53
key "{key.name}" {{
    algorithm {key.algorithm};
    secret "{key.secret}";
}};
{policy}zone "{zone.rstrip(".")}" {{
    type secondary;
    primaries {{ {" ".join(f'{h} port {p} key "{key.name}";' for h, p in primaries)} }};
    allow-notify {{ {" ".join(f"{h};" for h in hosts)} }};
    file "{cache}";
    min-refresh-time {timing.max_refresh // 2}; max-refresh-time {timing.max_refresh};
    min-retry-time {timing.max_refresh // 2}; max-retry-time {timing.max_refresh};
}};
"""
    if resolver is Resolver.KNOT:
        ids = [f"arret-{operator}" + ("" if len(primaries) == 1 else f"-{i}")
               for i in range(1, len(primaries) + 1)]  # fmt: skip
        remotes = "".join(
            f"  - id: {i}\n    address: {h}@{p}\n    key: {key.name}\n"
            for i, (h, p) in zip(ids, primaries, strict=True)
        )
        acl = hosts[0] if len(hosts) == 1 else "[" + ", ".join(hosts) + "]"
        master = ids[0] if len(ids) == 1 else "[" + ", ".join(ids) + "]"
        return f"""# Arrêt feed of operator {operator} for Knot DNS 3 as a secondary (knot.conf;
# merge these sections with yours if you already have them).
# Arrêt bound: {bound} s. Knot fetches the moment the feed's NOTIFY arrives: its copy
# follows an order's start or end within {bound} s.
# Arrêt bound if a NOTIFY is lost: {lost} s (the refresh caps below).
# Declare this server on the feed side with
#   arret operator edit {operator} --notify <this server's address>:53
key:
  - id: {key.name}
    algorithm: {key.algorithm}
    secret: {key.secret}

remote:
{remotes}
acl:
  - id: arret-{operator}-notify
    address: {acl}
    action: notify

zone:
  - domain: {zone}
    master: {master}
    acl: arret-{operator}-notify
    file: "{cache}"
    refresh-min-interval: {timing.max_refresh // 2}
    refresh-max-interval: {timing.max_refresh}
    retry-max-interval: {timing.max_refresh}
    # Serve the copy to your resolvers: add `notify:` and an `acl:` allowing transfer.
"""
    if resolver is Resolver.NSD:
        nsd_primaries = "\n".join(
            [f"    request-xfr: {h}@{p} {key.name}" for h, p in primaries]
            + [f"    allow-notify: {h} NOKEY" for h in hosts]
        )
        return f"""# Arrêt feed of operator {operator} for NSD 4 as a secondary (nsd.conf).
# Arrêt bound: {bound} s. NSD fetches the moment the feed's NOTIFY arrives: its copy
# follows an order's start or end within {bound} s.
# Arrêt bound if a NOTIFY is lost: {lost} s (the refresh caps below).
# Declare this server on the feed side with
#   arret operator edit {operator} --notify <this server's address>:53
key:
    name: "{key.name}"
    algorithm: {key.algorithm}
    secret: "{key.secret}"

zone:
    name: "{zone}"
    zonefile: "{cache}"
{nsd_primaries}
    min-refresh-time: {timing.max_refresh // 2}
    max-refresh-time: {timing.max_refresh}
    min-retry-time: {timing.max_refresh // 2}
    max-retry-time: {timing.max_refresh}
    # Serve the copy to your resolvers: add `notify:` and `provide-xfr:` for them.
"""
    if resolver is Resolver.POWERDNS:
        refresh, packetcache = timing.powerdns_refresh, timing.powerdns_packetcache_ttl
        quoted = [f'"{e}"' for e in endpoints]
        addresses = quoted[0] if len(quoted) == 1 else "{" + ", ".join(quoted) + "}"
        return f"""-- Arrêt feed of operator {operator} for PowerDNS Recursor 4 (lua-config-file).
-- Arrêt bound: {bound} s. PowerDNS Recursor 4.8 ignores NOTIFY for an RPZ: it asks for
-- changes every `refresh` s (counted from its own start), then its packet cache may
-- serve the previous answer for `packetcache-ttl` s: its answers follow an order's
-- start or end within {refresh} + {packetcache} s plus the transfer: {bound} s.
-- No Extended DNS Error is set: PowerDNS attaches a zone's EDE to every hit of the
-- zone, passthru included, so allow-listed names would be answered "Censored".
-- Save this file as /etc/powerdns/arret-{operator}.lua and add to recursor.conf (the
-- packet cache would otherwise hold answers for a day):
--   lua-config-file=/etc/powerdns/arret-{operator}.lua
--   packetcache-ttl={packetcache}
--   packetcache-servfail-ttl={packetcache}
rpzPrimary({addresses}, "{zone}", {{
    tsigname = "{key.name}", tsigalgo = "{key.algorithm}", tsigsecret = "{key.secret}",
    refresh = {refresh},
    dumpFile = "{cache}", seedFile = "{cache}",
    policyName = "arret-{operator}",
}})
"""
    sync = int(timing.sync_interval) if timing.sync_interval.is_integer() else timing.sync_interval
    secret_file = f"/etc/arret/{operator}.tsig"
    servers = " ".join(f"--server {e}" for e in endpoints)
    message = lua_text(f"blocked by a legal order: see {register_url}")
    if notice_addresses:
        notice_options = " \\\n--       " + " ".join(
            f"--notice-address {a}" for a in notice_addresses
        )
        notice_text = (
            f"-- as local data: the addresses of the notice host ({settings.notice_host})."
        )
    else:
        notice_options = ""
        notice_text = (
            "-- as NXDOMAIN, never left unblocked; to send visitors to the notice page,\n"
            f"-- give its host's addresses ({settings.notice_host}) with --notice-address IP."
        )
    return f"""-- Arrêt feed of operator {operator} for Knot Resolver 5 (reads RPZ files only).
-- Arrêt bound: {bound} s. `arret feed sync` asks the feed for changes every {sync} s and
-- replaces the file at once; kresd reloads it when it changes (needs lua-cqueues).
-- Keep the file current with (run it as a service; the secret stays off the command line):
--   umask 077; echo '{key.secret}' > {secret_file}
--   arret feed sync {servers} --zone {zone} --key-name {key.name} \\
--       --key-file {secret_file} --interval {sync} --out {cache}{notice_options}
-- kresd 5.6 ignores RPZ CNAMEs to a custom target: `feed sync` writes each `notice` rule
{notice_text}
-- policy.DENY answers carry a negative TTL of 10800 s: this NXDOMAIN's is {settings.ttl} s.
local ffi = require('ffi')
local function arret_nxdomain(_, req)
    local answer = req:ensure_answer()
    if answer == nil then return nil end
    req.answ_selected.len = 0
    req.auth_selected.len = 0
    req.add_selected.len = 0
    answer:clear_payload()
    req:ensure_edns()
    ffi.C.kr_pkt_make_auth_header(answer)
    answer:rcode(kres.rcode.NXDOMAIN)
    answer:begin(kres.section.AUTHORITY)
    answer:put(answer:qname(), {settings.ttl}, answer:qclass(), kres.type.SOA,
        '\\9localhost\\0\\6nobody\\7invalid\\0' .. string.char(0, 0, 0, 1, 0, 0, 0, 60,
        0, 0, 0, 30, 0, 18, 117, 0, 0, 0, 0, {settings.ttl}))
    req:set_extended_error(kres.extended_error.BLOCKED, '{message}')
    return kres.DONE
end
modules = {{ 'policy' }}
policy.add(policy.rpz(arret_nxdomain, '{cache}', true))
"""
