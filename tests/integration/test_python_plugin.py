#!/usr/bin/env python3
"""The Python example plugin against a real anchangd: it answers a service that the C++ hello
plugin calls, counts the events hello publishes, and publishes its own."""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import zmq

ARGS = None
BUS_SECRET = "python-test-bus-secret"


def bus_socket(kind, endpoint, name="echo", secret=BUS_SECRET):
    socket = zmq.Context.instance().socket(kind)
    socket.setsockopt(zmq.LINGER, 0)
    socket.plain_username = name.encode()
    socket.plain_password = secret.encode()
    socket.connect(endpoint)
    return socket


def call(port, method, path, body=None, token=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class PythonPluginTest(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="anchang-py-")
        config = os.path.join(self.data, "test.properties")
        open(config, "w").write("# from --set\n")
        # The test is its own vendor, with the licence tool built beside anchangd.
        tool = os.path.join(os.path.dirname(ARGS.anchangd), "anchang-licence")
        vendor = os.path.join(self.data, "vendor")
        subprocess.run([tool, "keygen", vendor], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([tool, "issue", "--key", os.path.join(vendor, "vendor.key"), "--customer", "python test",
                        "--modules", "hello", "--projects", "5", "--expires", "2099-12-31",
                        "--out", os.path.join(vendor, "licence.json")], check=True)
        self.kernel = subprocess.Popen(
            [ARGS.anchangd, "--config", config, "--data-dir", self.data, "--plugins-dir", ARGS.plugins, "--port", "0",
             "--set", "bus.requestPort=0", "--set", "bus.subscribePort=0", "--set", "bus.publishPort=0",
             "--set", "bus.external=true", "--set", f"bus.credentials.echo={BUS_SECRET}", "--set", "bus.strictContracts=true", "--set", "test.cheapPasswords=true",
             "--set", f"licence.file={vendor}/licence.json", "--set", f"licence.publicKey={vendor}/vendor.pub",
             "--set", f"demo.seed={ARGS.source}/tests/fixtures/seed.json"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runtime = os.path.join(self.data, "run", "anchangd.json")
        for _ in range(1500):
            if os.path.exists(runtime):
                break
            time.sleep(0.02)
        info = json.load(open(runtime))
        self.port, self.bus = info["http_port"], info["bus"]
        self.plugin = None

    def tearDown(self):
        if self.plugin and self.plugin.poll() is None:
            self.plugin.terminate()
            self.plugin.wait(10)
        self.kernel.send_signal(signal.SIGTERM)
        self.kernel.wait(30)
        shutil.rmtree(self.data, ignore_errors=True)

    def start_plugin(self):
        self.plugin = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(ARGS.source, "sdk/examples/python-echo/echo_plugin.py"),
             "--request", self.bus["request"], "--subscribe", self.bus["subscribe"], "--publish", self.bus["publish"]],
            stdout=subprocess.DEVNULL, env=dict(os.environ, ANCHANG_BUS_SECRET=BUS_SECRET))
        for _ in range(200):
            status, body = call(self.port, "GET", "/api/v1/hello/echo?text=ping")
            if status == 200:
                return
            time.sleep(0.05)
        self.fail(f"echo.say never became available: {status} {body}")

    def request(self, service, body):
        socket = bus_socket(zmq.DEALER, self.bus["request"])
        header = {"id": "py-test-1", "type": "request", "schema": 1, "project": 0, "source": "test",
                  "service": service, "deadline": int(time.time() * 1000) + 3000}
        socket.send_multipart([b"ANCH/1", json.dumps(header).encode(), json.dumps(body).encode()])
        self.assertTrue(socket.poll(3000), f"no answer from {service}")
        frames = socket.recv_multipart()
        socket.close()
        return json.loads(frames[1]), json.loads(frames[2])

    def test_a_cpp_plugin_calls_the_python_service(self):
        self.assertEqual(call(self.port, "GET", "/api/v1/hello/echo?text=x")[0], 503)  # not running yet
        self.start_plugin()
        status, body = call(self.port, "GET", "/api/v1/hello/echo?text=" + urllib.request.quote("安畅"))
        self.assertEqual(status, 200)
        self.assertEqual(body["reversed"], "畅安")

    def test_it_receives_events_and_publishes_its_own(self):
        self.start_plugin()
        listener = bus_socket(zmq.SUB, self.bus["subscribe"])
        listener.setsockopt(zmq.SUBSCRIBE, b"echo.")
        time.sleep(0.3)

        login = call(self.port, "POST", "/api/v1/auth/login", {"username": "manager", "password": "demo1234"})[1]
        self.assertEqual(call(self.port, "POST", "/api/v1/hello/greetings", {"name": "李娜"}, login["token"])[0], 201)
        seen = {}
        for _ in range(100):
            header, seen = self.request("echo.stats", {})
            if seen.get("events", {}).get("hello.greeted"):
                break
            time.sleep(0.05)
        self.assertEqual(header["status"], 0)
        self.assertEqual(seen["events"]["hello.greeted"], 1)

        header, said = self.request("echo.say", {"text": "hi"})
        self.assertEqual(said["reversed"], "ih")
        self.assertTrue(listener.poll(3000), "echo.said never arrived")
        topic, protocol, event_header, event_body = listener.recv_multipart()
        self.assertEqual((topic, protocol), (b"echo.said", b"ANCH/1"))
        self.assertEqual(json.loads(event_header)["source"], "echo")
        self.assertEqual(json.loads(event_body), {"text": "hi"})
        listener.close()

        header, refused = self.request("echo.say", {"text": 5})
        self.assertEqual(refused["code"], "echo.text_required")

    def test_it_contributes_to_the_cpp_extension_point(self):
        self.start_plugin()
        login = call(self.port, "POST", "/api/v1/auth/login", {"username": "manager", "password": "demo1234"})[1]
        status, created = call(self.port, "POST", "/api/v1/hello/greetings", {"name": "李娜"}, login["token"])
        self.assertEqual(status, 201)
        self.assertEqual(created["extras"], [{"plugin": "echo", "text": "娜李"}])

    def test_it_may_serve_and_publish_only_what_its_manifest_declares(self):
        self.start_plugin()
        listener = bus_socket(zmq.SUB, self.bus["subscribe"])
        listener.setsockopt(zmq.SUBSCRIBE, b"customer.")
        impostor = bus_socket(zmq.DEALER, self.bus["request"])
        publisher = bus_socket(zmq.PUB, self.bus["publish"])
        time.sleep(0.3)
        # Offering a service its manifest does not declare, or publishing an undeclared topic,
        # with the right secret: refused, counted and logged.
        ready = {"id": "py-ready", "type": "ready", "schema": 1, "project": 0, "source": "echo"}
        impostor.send_multipart([b"ANCH/1", json.dumps(ready).encode(), json.dumps({"services": ["core.customer.claim"]}).encode()])
        event = {"id": "py-ev", "type": "event", "schema": 1, "project": 1, "source": "core"}
        publisher.send_multipart([b"customer.owner_changed", b"ANCH/1", json.dumps(event).encode(), b'{"customer_id":1}'])
        self.assertFalse(listener.poll(500), "an undeclared topic from a tcp client reached subscribers")
        admin = call(self.port, "POST", "/api/v1/auth/login", {"username": "admin", "password": "demo1234"})[1]
        for _ in range(50):
            status, monitor = call(self.port, "GET", "/api/v1/bus/monitor", token=admin["token"])
            if monitor.get("counters", {}).get("offers_refused"):
                break
            time.sleep(0.05)
        self.assertEqual(status, 200)
        self.assertEqual(monitor["counters"]["offers_refused"], 1)
        for socket in (listener, impostor, publisher):
            socket.close()

    def test_without_the_secret_nothing_is_heard_or_answered(self):
        self.start_plugin()
        eavesdropper = bus_socket(zmq.SUB, self.bus["subscribe"], secret="a-guess-at-the-secret")
        eavesdropper.setsockopt(zmq.SUBSCRIBE, b"")
        impostor = bus_socket(zmq.DEALER, self.bus["request"], secret="a-guess-at-the-secret")
        time.sleep(0.3)
        login = call(self.port, "POST", "/api/v1/auth/login", {"username": "manager", "password": "demo1234"})[1]
        self.assertEqual(call(self.port, "POST", "/api/v1/hello/greetings", {"name": "李娜"}, login["token"])[0], 201)
        header = {"id": "py-guess", "type": "request", "schema": 1, "project": 0, "source": "test",
                  "service": "echo.stats", "deadline": int(time.time() * 1000) + 1000}
        try:
            impostor.send_multipart([b"ANCH/1", json.dumps(header).encode(), b"{}"], flags=zmq.NOBLOCK)
        except zmq.Again:
            pass  # refused: no connection to send on
        self.assertFalse(impostor.poll(500), "a client with a wrong secret got an answer")
        self.assertFalse(eavesdropper.poll(200), "a client with a wrong secret heard an event")
        impostor.close()
        eavesdropper.close()

    def test_when_it_stops_callers_hear_so_at_once(self):
        self.start_plugin()
        self.plugin.terminate()
        self.plugin.wait(10)
        started = time.monotonic()
        status, body = call(self.port, "GET", "/api/v1/hello/echo?text=x")
        self.assertEqual(status, 503)
        self.assertEqual(body["error"]["code"], "bus.no_such_service")
        self.assertLess(time.monotonic() - started, 1.5)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--anchangd", required=True)
    parser.add_argument("--plugins", required=True)
    parser.add_argument("--source", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest)
