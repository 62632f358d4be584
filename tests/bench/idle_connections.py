#!/usr/bin/env python3
"""Opens N keep-alive connections to a server, makes one request on half of them, and holds all
of them idle until killed: the opening-day crowd that keeps a connection open between clicks."""
import socket
import sys
import time

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
request = f"GET /api/v1/health HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n".encode()
held = []
for i in range(count):
    s = socket.create_connection((host, port))
    if i % 2 == 0:
        s.sendall(request)
        s.recv(4096)
    held.append(s)
print(f"holding {len(held)} idle connections", flush=True)
while True:
    time.sleep(3600)
