"""Operator names and resolver endpoints, checked before they enter the registry."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from arret.errors import InvalidOperator

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def check_operator_name(name: str) -> str:
    """An operator's name becomes the first label of its feed zone (`<name>.rpz.arret.`)."""
    if _LABEL.fullmatch(name):
        return name
    hint = f"; did you mean {name.lower()!r}?" if _LABEL.fullmatch(name.lower()) else ""
    raise InvalidOperator(
        f"operator name {name!r} is not a lowercase DNS label (letters a-z, digits and "
        f"inner hyphens, at most 63): it names the operator's feed zone{hint}"
    )


def check_endpoint(text: str) -> str:
    """`IP[:PORT]` or `[IPv6]:PORT` → canonical `IP:PORT` / `[IPv6]:PORT` (port 53 default).

    Only addresses are accepted: NOTIFY and probes go to a resolver's address, and a name
    would make the feed depend on DNS resolution of its own consumers.
    """
    raw = text.strip()
    host, port = raw, "53"
    if raw.startswith("["):
        end = raw.find("]")
        host, rest = raw[1:end] if end > 0 else raw, raw[end + 1 :] if end > 0 else ""
        if rest:
            if not rest.startswith(":"):
                host = raw
            port = rest[1:]
    elif raw.count(":") == 1:
        host, port = raw.split(":")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise InvalidOperator(
            f"resolver {text!r} is not an IP address with an optional port; "
            "write e.g. 192.0.2.53:53 or [2001:db8::53]:53"
        ) from None
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise InvalidOperator(f"resolver {text!r} has a bad port {port!r}; use 1-65535")
    shown = f"[{address}]" if address.version == 6 else str(address)
    return f"{shown}:{int(port)}"


def check_networks(texts: Iterable[str]) -> tuple[str, ...]:
    """CIDR networks (a bare address is its /32 or /128), canonical, host bits refused."""
    checked, problems = [], []
    for text in texts:
        try:
            checked.append(str(ipaddress.ip_network(text.strip(), strict=True)))
        except ValueError:
            try:
                loose = ipaddress.ip_network(text.strip(), strict=False)
                problems.append(f"network {text!r} has host bits set; did you mean {str(loose)!r}?")
            except ValueError:
                problems.append(
                    f"{text!r} is not a network; write e.g. 192.0.2.0/24 or 2001:db8::/32"
                )
    if problems:
        raise InvalidOperator("bad source network; nothing was changed", problems)
    return tuple(dict.fromkeys(checked))


def check_endpoints(texts: Iterable[str]) -> tuple[str, ...]:
    checked, problems = [], []
    for text in texts:
        try:
            checked.append(check_endpoint(text))
        except InvalidOperator as exc:
            problems.append(exc.summary)
    if problems:
        raise InvalidOperator("bad resolver address; nothing was changed", problems)
    return tuple(dict.fromkeys(checked))
