"""An Unbound configuration for tests and benchmarks: loopback only, test names answered by
the local test authority (`support.authority`), never a query beyond 127.0.0.1."""

from __future__ import annotations

from pathlib import Path


def unbound_conf(
    folder: Path, name: str, port: int, authority: int, server: str = "", rest: str = ""
) -> Path:
    """Write `<folder>/<name>.conf` listening on 127.0.0.1@`port`; `server` adds lines to
    the `server:` clause (indented), `rest` follows the stub zone (an `rpz:` clause, an
    operator's snippet)."""
    conf = folder / f"{name}.conf"
    conf.write_text(f"""server:
    interface: 127.0.0.1@{port}
    do-not-query-localhost: no
    qname-minimisation: no
    username: ""
    chroot: ""
    directory: "{folder}"
    pidfile: "{folder}/{name}.pid"
    use-syslog: no
    access-control: 127.0.0.0/8 allow
{server}# Test names (and the notice host) go to the local test authority; the tests ask for
# no other name, so nothing leaves loopback.
stub-zone:
    name: "example."
    stub-addr: 127.0.0.1@{authority}
{rest}""")
    return conf
