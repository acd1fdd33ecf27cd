"""The protocol's edges, byte for byte, with a raw JSON-RPC client: malformed messages get errors and the server
goes on, the life cycle (before `initialize`, `shutdown`, `exit` and its status) follows the specification,
cancelled requests are answered with RequestCancelled, and position encodings and symbol forms follow what the
client declares."""

import json
import pathlib
import subprocess
import threading

import pytest

from conftest import BINARY, server_command

pytestmark = pytest.mark.skipif(not BINARY, reason="PTUNE_BINARY is not set (EditorIntegrationTests sets it)")


class RawClient:
    """A language-server process spoken to in raw frames."""

    def __init__(self, cwd: pathlib.Path | None = None):
        self.process = subprocess.Popen(server_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, cwd=cwd)
        self.next_id = 100

    def write(self, data: bytes) -> None:
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def frame(self, obj) -> bytes:
        body = json.dumps(obj).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    def send(self, obj) -> None:
        self.write(self.frame(obj))

    def request(self, method: str, params=None, id=None) -> int:
        if id is None:
            self.next_id += 1
            id = self.next_id
        message = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return id

    def notify(self, method: str, params=None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def receive(self, timeout: float = 60):
        result = {}

        def read():
            headers = {}
            while True:
                line = self.process.stdout.readline()
                if line in (b"\r\n", b""):
                    break
                name, value = line.decode().split(":", 1)
                headers[name.strip().lower()] = value.strip()
            if headers:
                result["message"] = json.loads(self.process.stdout.read(int(headers["content-length"])))

        t = threading.Thread(target=read, daemon=True)
        t.start()
        t.join(timeout)
        assert not t.is_alive(), "no message from the server"
        return result.get("message")

    def response(self, id):
        """The response to request `id` (notifications before it are skipped)."""
        while True:
            m = self.receive()
            assert m is not None, "the server closed its output"
            if m.get("id") == id and "method" not in m:
                return m

    def initialize(self, capabilities=None):
        r = self.response(self.request("initialize", {"processId": None, "rootUri": None, "capabilities": capabilities or {}}))
        self.notify("initialized", {})
        return r["result"]

    def close(self, timeout: float = 30) -> int:
        self.process.stdin.close()
        return self.process.wait(timeout)


@pytest.fixture
def client():
    c = RawClient()
    yield c
    if c.process.poll() is None:
        c.process.kill()
        c.process.wait()


def test_requests_before_initialize_are_refused(client):
    r = client.response(client.request("textDocument/hover", {}))
    assert r["error"]["code"] == -32002
    assert client.initialize()["capabilities"]["hoverProvider"] is True


def test_malformed_messages_get_errors_and_the_server_goes_on(client):
    client.initialize()
    client.write(b"Content-Length: 9\r\n\r\n{not json")
    r = client.receive()
    assert r["id"] is None and r["error"]["code"] == -32700
    # A header without Content-Length, and garbage: a parse error, then the next message is read as usual.
    client.write(b"Content-Type: text/plain\r\n\r\ngarbage" + client.frame({"jsonrpc": "2.0", "id": 7, "method": "shutdown"}))
    errors = []
    while True:
        m = client.receive()
        if m.get("id") == 7:
            break
        errors.append(m)
    assert errors and all(e["error"]["code"] == -32700 for e in errors)


def test_invalid_requests_get_the_right_codes(client):
    client.initialize()
    assert client.response(client.request("no/such/method", {}))["error"]["code"] == -32601
    assert client.response(client.request("textDocument/hover", {"textDocument": {"uri": "file:///x.pt"}}))["error"]["code"] == -32602
    client.send({"jsonrpc": "2.0", "id": 9, "method": 42})
    assert client.response(9)["error"]["code"] == -32600
    client.send([{"jsonrpc": "2.0", "id": 10, "method": "shutdown"}])
    r = client.receive()
    assert r["error"]["code"] == -32600
    client.notify("no/such/notification", {})
    client.notify("textDocument/didChange", {"textDocument": {"uri": "file:///never-opened.pt"}, "contentChanges": []})
    # Still answering.
    assert client.response(client.request("shutdown"))["result"] is None


def test_shutdown_then_exit_ends_with_status_0(client):
    client.initialize()
    assert client.response(client.request("shutdown"))["result"] is None
    assert client.response(client.request("textDocument/hover", {}))["error"]["code"] == -32600
    client.notify("exit")
    assert client.process.wait(30) == 0


def test_exit_without_shutdown_ends_with_status_1(client):
    client.initialize()
    client.notify("exit")
    assert client.process.wait(30) == 1


def test_end_of_input_ends_the_server(client):
    client.initialize()
    assert client.close() == 1


def test_a_cancelled_request_is_answered_with_request_cancelled(client, tmp_path):
    client.initialize()
    # A long document, so the first request (which checks it) is still running when the next two arrive.
    text = "".join(f"dim d{i} = {i + 1}\nlet x{i} = randn(d{i}, d{i}) @ randn(d{i}, 2)\n" for i in range(3000))
    uri = (tmp_path / "long.pt").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "ptune", "version": 1, "text": text}})
    hover = {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 5}}
    first = client.frame({"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": hover})
    second = client.frame({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": hover})
    cancel = client.frame({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 2}})
    client.write(first + second + cancel)
    assert "result" in client.response(1)
    assert client.response(2)["error"]["code"] == -32800


def test_position_encoding_is_negotiated(client, tmp_path):
    caps = client.initialize({"general": {"positionEncodings": ["utf-32", "utf-16"]}})["capabilities"]
    assert caps["positionEncoding"] == "utf-32"
    uri = (tmp_path / "e.pt").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "ptune", "version": 1,
                                                            "text": 'let a = "😀" + oops\n'}})
    m = client.receive()
    assert m["method"] == "textDocument/publishDiagnostics"
    assert m["params"]["diagnostics"][0]["range"]["start"] == {"line": 0, "character": 14}


def test_the_default_encoding_is_utf16_and_symbols_are_flat_without_hierarchy(client, tmp_path):
    caps = client.initialize()["capabilities"]
    assert caps.get("positionEncoding", "utf-16") == "utf-16"
    uri = (tmp_path / "s.pt").as_uri()
    text = 'let a = "😀" + oops\nfn f(x) {\n  let y = x\n  return y\n}\n'
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "ptune", "version": 1, "text": text}})
    m = client.receive()
    assert m["params"]["diagnostics"][0]["range"]["start"] == {"line": 0, "character": 15}
    symbols = client.response(client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}}))["result"]
    assert [(s["name"], s.get("containerName")) for s in symbols] == [("a", None), ("f", None), ("y", "f")]
    assert all("location" in s for s in symbols)
    hover = client.response(client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                                  "position": {"line": 3, "character": 10}}))["result"]
    assert hover["contents"]["kind"] == "plaintext", "a client that does not ask for Markdown gets plain text"


def test_closing_a_document_clears_its_diagnostics(client, tmp_path):
    client.initialize()
    uri = (tmp_path / "c.pt").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "ptune", "version": 1, "text": "oops\n"}})
    assert client.receive()["params"]["diagnostics"]
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    m = client.receive()
    assert m["params"] == {"uri": uri, "diagnostics": []}


def test_a_saved_import_is_checked_again(client, tmp_path):
    client.initialize()
    (tmp_path / "lib.pt").write_text("dim hidden = 4\n")
    uri = (tmp_path / "main.pt").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "ptune", "version": 1,
                                                            "text": 'import "lib.pt"\nprint hidden\n'}})
    assert client.receive()["params"]["diagnostics"] == []
    (tmp_path / "lib.pt").write_text("dim hiden = 4\n")
    client.notify("textDocument/didSave", {"textDocument": {"uri": (tmp_path / "lib.pt").as_uri()}})
    m = client.receive()
    assert [d["message"] for d in m["params"]["diagnostics"]] == ["cannot find 'hidden' in scope; did you mean 'hiden'?"]
