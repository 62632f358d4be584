#!/usr/bin/env python3
"""echo — an out-of-process Anchang plugin written in Python.

It speaks the bus protocol of docs/bus.md over anchangd's loopback tcp endpoints, with Debian's
python3-zmq and nothing else:

  * offers the services "echo.say" ({"text"} -> {"text","reversed","events_seen"}),
    "echo.stats" ({} -> {"events": {topic: count}}) and "echo.greeting_extra", its contribution
    to the C++ example's extension point hello.greeting.extras ({"name"} -> {"text"});
  * subscribes to "hello." events and counts them;
  * publishes "echo.said" after each echo.say.

    ANCHANG_BUS_SECRET=... /usr/bin/python3 echo_plugin.py --request tcp://127.0.0.1:8081 \
        --subscribe tcp://127.0.0.1:8082 --publish tcp://127.0.0.1:8083

The kernel opens its tcp bus only to clients it has a credential for (`bus.credentials.echo`
in its configuration); the secret comes from the environment, never from the command line,
where every local user could read it. plugin.json beside this file is the manifest the admin
approves by installing it in the plugins folder: the kernel lets this client serve and publish
only what it declares, and stamps "echo" as the source of everything it sends.
"""

import argparse
import itertools
import json
import os
import signal
import sys
import time

import zmq

PROTOCOL = b"ANCH/1"
SOURCE = "echo"
HEARTBEAT_S = 1.0
_ids = itertools.count(1)


def header(kind, project=0, **extra):
    fields = {"id": f"echo-{os.getpid()}-{next(_ids)}", "type": kind, "schema": 1,
              "project": project, "source": SOURCE, "ts": int(time.time() * 1000)}
    fields.update(extra)
    return json.dumps(fields).encode()


class EchoPlugin:
    # What plugin.json beside this file declares: the kernel refuses anything else from us.
    SERVICES = ["echo.say", "echo.stats", "echo.greeting_extra"]

    def __init__(self, request, subscribe, publish, secret):
        self.context = zmq.Context()
        self.worker = self.connect(zmq.DEALER, request, secret)
        self.events = self.connect(zmq.SUB, subscribe, secret)
        self.events.setsockopt(zmq.SUBSCRIBE, b"hello.")
        self.publisher = self.connect(zmq.PUB, publish, secret)
        self.seen = {}
        self.running = True

    def connect(self, kind, endpoint, secret):
        # Every tcp socket of the bus asks for the client's name and secret (ZeroMQ PLAIN).
        socket = self.context.socket(kind)
        socket.setsockopt(zmq.LINGER, 0)
        socket.plain_username = SOURCE.encode()
        socket.plain_password = secret.encode()
        socket.connect(endpoint)
        return socket

    def control(self, kind, body):
        self.worker.send_multipart([PROTOCOL, header(kind), json.dumps(body).encode()])

    def ready(self):
        self.control("ready", {"services": self.SERVICES, "capacity": 1})

    def answer(self, service, body):
        if service == "echo.say":
            if not isinstance(body, dict) or not isinstance(body.get("text"), str):
                return -1, {"code": "echo.text_required", "message": "text must be a string", "status": 400}
            text = body["text"]
            self.publisher.send_multipart([b"echo.said", PROTOCOL, header("event"), json.dumps({"text": text}).encode()])
            return 0, {"text": text, "reversed": text[::-1], "events_seen": sum(self.seen.values())}
        if service == "echo.stats":
            return 0, {"events": self.seen}
        if service == "echo.greeting_extra":
            # Our contribution to hello's extension point hello.greeting.extras.
            name = body.get("name") if isinstance(body, dict) else None
            if not isinstance(name, str):
                return -1, {"code": "echo.name_required", "message": "name must be a string", "status": 400}
            return 0, {"text": name[::-1]}
        return -3, {"code": "bus.no_such_service", "message": f"echo does not offer {service}", "status": 503}

    def on_request(self, frames):
        # [client][protocol][header][body]; an empty client frame is the broker talking to us.
        if len(frames) != 4 or frames[1] != PROTOCOL:
            return
        client, _, raw_header, raw_body = frames
        try:
            request = json.loads(raw_header)
        except ValueError:
            return
        if request.get("type") == "reregister":
            self.ready()
            return
        if request.get("type") != "request":
            return
        try:
            body = json.loads(raw_body)
        except ValueError:
            body = None
        status, reply = self.answer(request.get("service", ""), body)
        reply_header = header("reply", request.get("project", 0), correlation_id=request.get("id"), status=status)
        self.worker.send_multipart([client, PROTOCOL, reply_header, json.dumps(reply).encode()])

    def on_event(self, frames):
        if len(frames) != 4 or frames[1] != PROTOCOL:
            return
        topic = frames[0].decode()
        self.seen[topic] = self.seen.get(topic, 0) + 1

    def run(self):
        self.ready()
        poller = zmq.Poller()
        poller.register(self.worker, zmq.POLLIN)
        poller.register(self.events, zmq.POLLIN)
        next_heartbeat = time.monotonic() + HEARTBEAT_S
        while self.running:
            ready = dict(poller.poll(100))
            if self.worker in ready:
                self.on_request(self.worker.recv_multipart())
            if self.events in ready:
                self.on_event(self.events.recv_multipart())
            if time.monotonic() >= next_heartbeat:
                self.control("heartbeat", {})
                next_heartbeat = time.monotonic() + HEARTBEAT_S
        self.control("disconnect", {})
        self.context.destroy(linger=0)

    def stop(self, *_):
        self.running = False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--request", default="tcp://127.0.0.1:8081")
    parser.add_argument("--subscribe", default="tcp://127.0.0.1:8082")
    parser.add_argument("--publish", default="tcp://127.0.0.1:8083")
    args = parser.parse_args()
    secret = os.environ.get("ANCHANG_BUS_SECRET", "")
    if not secret:
        parser.error("set ANCHANG_BUS_SECRET to the kernel's bus.credentials.echo")
    plugin = EchoPlugin(args.request, args.subscribe, args.publish, secret)
    signal.signal(signal.SIGTERM, plugin.stop)
    signal.signal(signal.SIGINT, plugin.stop)
    print("echo plugin ready", flush=True)
    plugin.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
