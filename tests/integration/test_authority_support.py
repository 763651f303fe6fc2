"""The tests' own authoritative server starts even when the TCP twin of its UDP port is
taken by another process (seen as `Address already in use` in a busy suite)."""

from __future__ import annotations

import socket
import socketserver
from typing import Any

import dns.message
import dns.query
import dns.rcode
import pytest
from support.authority import ADDRESS, Authority


def udp_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        try:
            udp.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_authority_takes_another_port_when_its_tcp_twin_is_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Another process's listener on a port whose UDP side is free: exactly the race.
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    busy = holder.getsockname()[1]
    assert udp_free(busy)
    first: list[int] = []

    class FirstOnTheBusyPort(socketserver.ThreadingUDPServer):
        """The kernel's first pick is, by bad luck, the busy port."""

        def __init__(self, address: Any, handler: Any) -> None:
            if not first:
                first.append(busy)
                address = ("127.0.0.1", busy)
            super().__init__(address, handler)

    monkeypatch.setattr(socketserver, "ThreadingUDPServer", FirstOnTheBusyPort)
    authority = Authority()
    try:
        assert first == [busy]
        assert authority.port != busy
        query = dns.message.make_query("up.example.", "A")
        for answer in (
            dns.query.udp(query, "127.0.0.1", port=authority.port, timeout=2),
            dns.query.tcp(query, "127.0.0.1", port=authority.port, timeout=2),
        ):
            assert answer.rcode() == dns.rcode.NOERROR
            assert answer.answer[0][0].to_text() == ADDRESS
    finally:
        authority.close()
        holder.close()
    assert udp_free(busy)  # the UDP socket of the failed attempt was released
