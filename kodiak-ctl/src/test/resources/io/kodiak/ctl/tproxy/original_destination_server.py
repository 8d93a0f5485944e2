"""Answers each TCP connection (IPv4 and IPv6) on the given ports with one line, "<port it was accepted on>
<original destination>", then closes it. The original destination comes from SO_ORIGINAL_DST,
the address a connection had before a nat REDIRECT rewrote it. Prints "listening" once bound."""
import selectors
import socket
import struct
import sys

SO_ORIGINAL_DST = 80  # linux/netfilter_ipv4.h


def original_destination(connection):
    try:
        raw = connection.getsockopt(socket.SOL_IP, SO_ORIGINAL_DST, 16)
        port, address = struct.unpack("!2xH4s8x", raw)
        return f"{socket.inet_ntoa(address)}:{port}"
    except OSError:  # no conntrack entry: nothing was rewritten
        host, port = connection.getsockname()[:2]
        return f"{host}:{port}"


selector = selectors.DefaultSelector()
for port in map(int, sys.argv[1:]):
    for family, address in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        server = socket.socket(family)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        server.bind((address, port))
        server.listen()
        selector.register(server, selectors.EVENT_READ, port)
print("listening", flush=True)

while True:
    for key, _ in selector.select():
        connection, _ = key.fileobj.accept()
        with connection:
            connection.sendall(f"{key.data} {original_destination(connection)}\n".encode())
