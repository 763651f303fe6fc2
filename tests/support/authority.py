"""A tiny authoritative server for the test names: every name under `example.` has
`A 192.0.2.1`, so resolvers answer unblocked names at once without recursing outward.
UDP and TCP on 127.0.0.1, a port chosen at run time, stopped by `close()`."""

from __future__ import annotations

import errno
import socket
import socketserver
import struct
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

ADDRESS = "192.0.2.1"


def answer(wire: bytes) -> bytes:
    query = dns.message.from_wire(wire)
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    question = query.question[0]
    name = question.name.to_text().lower()
    if not (name == "example." or name.endswith(".example.")):
        response.set_rcode(dns.rcode.REFUSED)
    elif question.rdtype in (dns.rdatatype.A, dns.rdatatype.ANY):
        response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "A", ADDRESS))
    else:
        # No NS records, ever: a resolver must not learn a server address beyond loopback.
        response.authority.append(
            dns.rrset.from_text("example.", 60, "IN", "SOA", "ns.example. h.example. 1 60 60 60 60")
        )
    return response.to_wire()


class _Udp(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data, sock = self.request
        sock.sendto(answer(data), self.client_address)


class _Tcp(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        header = self.request.recv(2)
        if len(header) < 2:
            return
        (length,) = struct.unpack("!H", header)
        data = b""
        while len(data) < length:
            chunk = self.request.recv(length - len(data))
            if not chunk:
                return
            data += chunk
        reply = answer(data)
        self.request.sendall(struct.pack("!H", len(reply)) + reply)


class Authority:
    """UDP and TCP on one port. The UDP socket binds port 0 (the kernel picks a free one);
    TCP must then take the same number, which another process may already hold: on
    EADDRINUSE both are given up and a fresh port tried, so no test fails on a busy port."""

    ATTEMPTS = 50

    def __init__(self) -> None:
        for _ in range(self.ATTEMPTS):
            udp = socketserver.ThreadingUDPServer(("127.0.0.1", 0), _Udp)
            port = udp.server_address[1]
            try:
                tcp = _TcpServer(("127.0.0.1", port), _Tcp)
            except OSError as exc:
                udp.server_close()
                if exc.errno != errno.EADDRINUSE:
                    raise
                continue
            break
        else:
            raise OSError(errno.EADDRINUSE, f"no UDP+TCP port free in {self.ATTEMPTS} tries")
        self.udp, self.tcp, self.port = udp, tcp, port
        for server in (self.udp, self.tcp):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def close(self) -> None:
        for server in (self.udp, self.tcp):
            server.shutdown()
            server.server_close()


class _TcpServer(socketserver.ThreadingTCPServer):
    # SO_REUSEADDR: a port in TIME_WAIT from an earlier test is fine to take; a port in
    # use (listening) is still refused with EADDRINUSE.
    allow_reuse_address = True


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
