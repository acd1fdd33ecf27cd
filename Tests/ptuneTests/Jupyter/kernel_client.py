"""Drives the ptune Jupyter kernel with jupyter_client, as a notebook front end would.

usage: kernel_client.py PTUNE_BINARY SCRATCH_DIR   (run by JupyterTests.swift)

Installs the kernel spec with `ptune jupyter install --prefix`, starts the kernel through jupyter_client's
KernelManager, and checks execute (streams, results as text and HTML, charts as SVG, progress displays that
update in place, located errors with the cell's line numbers, stop_on_error), complete, inspect, is_complete,
interrupts by SIGINT and on the control channel (a train block keeps what it trained), the heartbeat and
shutdown. Prints one line per check; any failure raises.
"""
import json
import os
import subprocess
import sys

import zmq
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

binary, scratch = sys.argv[1], sys.argv[2]
prefix = os.path.join(scratch, "prefix")
work = os.path.join(scratch, "work")
os.makedirs(work, exist_ok=True)

# --- the kernel spec
out = subprocess.run([binary, "jupyter", "install", "--prefix", prefix, "--name", "ptune-test",
                      "--display-name", "ptune (test)", "--", "--max-memory", "2G"],
                     check=True, capture_output=True, text=True).stdout
assert "ptune-test" in out, out
os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
spec = KernelSpecManager().get_kernel_spec("ptune-test")
assert spec.language == "ptune" and spec.display_name == "ptune (test)", spec.to_dict()
assert spec.interrupt_mode == "signal", spec.to_dict()
assert spec.argv[1:5] == ["jupyter", "kernel", "--connection-file", "{connection_file}"], spec.argv
assert spec.argv[-2:] == ["--max-memory", "2G"], spec.argv
print("kernel spec ok")

km = KernelManager(kernel_name="ptune-test")
km.start_kernel(cwd=work)
try:
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=30)

    info = kc.kernel_info(reply=True, timeout=10)["content"]
    assert info["status"] == "ok" and info["implementation"] == "ptune", info
    assert info["language_info"]["name"] == "ptune" and info["language_info"]["file_extension"] == ".pt", info
    print("kernel_info ok")


    def run(code, timeout=60, **kwargs):
        """Executes `code`; returns its iopub messages (type, content, transient) and the reply's content."""
        msg_id = kc.execute(code, **kwargs)
        outputs = []
        while True:
            msg = kc.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status":
                if msg["content"]["execution_state"] == "idle":
                    break
                continue
            outputs.append((msg["msg_type"], msg["content"]))
        reply = kc.get_shell_msg(timeout=timeout)
        assert reply["parent_header"]["msg_id"] == msg_id
        return outputs, reply["content"]


    def wait_for(msg_id, kind, timeout=120):
        """Waits for the first iopub message of `kind` that the request `msg_id` caused (interrupts are sent once
        the cell is under way, however slowly the kernel started it)."""
        while True:
            msg = kc.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == kind:
                return msg


    def of_type(outputs, kind):
        return [c for t, c in outputs if t == kind]


    # --- execute: streams, results, HTML tables
    outs, reply = run("seed 0\ndim e = 2\nlet x = randn(e, 3)\nprint 7\nx\n1 + 2")
    assert reply["status"] == "ok", reply
    assert "".join(c["text"] for c in of_type(outs, "stream") if c["name"] == "stdout") == "7\n", outs
    results = of_type(outs, "execute_result")
    assert [r["data"]["text/plain"] for r in results][1] == "3", results
    assert results[0]["data"]["text/plain"].endswith("shape [2, 3] float32"), results
    assert "<table" in results[0]["data"]["text/html"] and results[0]["data"]["text/html"].count("<tr>") == 2, results
    assert results[0]["execution_count"] == reply["execution_count"] == 1, (results, reply)
    print("execute ok")

    # --- :vars as a table, :type with dim names, :help
    outs, reply = run(":vars\n:type x\n:help mse")
    tables = of_type(outs, "display_data")
    assert tables and "<table" in tables[0]["data"]["text/html"] and "tensor [e, 3] float32" in tables[0]["data"]["text/plain"], outs
    text = "".join(c["text"] for c in of_type(outs, "stream"))
    assert "tensor [e, 3] float32" in text and "mse(pred, target" in text, text
    print("commands ok")

    # --- errors: located with the cell's own line numbers, the reply and an error message
    outs, reply = run("let a = 1\nlet b = 2\nlet y = x @ x\nprint 99")
    assert reply["status"] == "error" and reply["ename"] == "CheckError", reply
    assert reply["evalue"].startswith("<cell:3>:3:9: error: cannot matmul [e, 3] with [e, 3]"), reply
    errors = of_type(outs, "error")
    assert len(errors) == 1 and any("^~~~~" in line for line in errors[0]["traceback"]), errors
    assert not of_type(outs, "stream"), outs  # a check error: nothing ran
    outs, reply = run("print 1\n\n\nassert 1 == 2")
    assert reply["status"] == "error" and reply["ename"] == "RuntimeError" and ":4:" in reply["evalue"], reply
    assert of_type(outs, "stream")[0]["text"] == "1\n", outs
    outs, reply = run("let unfinished = [1,\n  2")
    assert reply["status"] == "error" and reply["ename"] == "SyntaxError", reply
    assert reply["evalue"] == "<cell:5>:2:4: error: expected ']' to close '[' at 1:18", reply
    print("errors ok")

    # --- stop_on_error: a queued cell after a failing one is aborted
    # (the failing cell runs a while first — about half a second, a loop of 3,000,000 steps — so the second one is
    # queued behind it when it fails even when the client is slow to send it on a loaded machine)
    first = kc.execute("let spin = 0\nfor i in 1..3000000 { spin = i }\nassert spin == 0")
    second = kc.execute("print \"never\"")
    replies = {}
    while len(replies) < 2:
        m = kc.get_shell_msg(timeout=30)
        replies[m["parent_header"]["msg_id"]] = m["content"]
    assert replies[first]["status"] == "error" and replies[second]["status"] == "aborted", replies
    print("stop_on_error ok")

    # --- completion: names the cell declares above the cursor, members, named arguments; offsets in code points
    code = "let greeting = \"héllo, wörld\" # ünïcode before the cursor\nlet cells = randn(2, 3)\nprint cells.sh"
    r = kc.complete(code, len(code), reply=True, timeout=10)["content"]
    assert r["matches"] == ["shape"] and r["cursor_start"] == len(code) - 2 and r["cursor_end"] == len(code), r
    r = kc.complete("let opt = adam([x], l", 21, reply=True, timeout=10)["content"]
    assert r["matches"][0] == "lr:", r
    r = kc.complete("x.su", 4, reply=True, timeout=10)["content"]
    assert "sum" in r["matches"], r
    r = kc.complete(":he", 3, reply=True, timeout=10)["content"]
    assert r["matches"] == [":help"], r
    print("complete ok")

    # --- inspection: type and shape with dim names, builtin and command help
    r = kc.inspect("x", 1, reply=True, timeout=10)["content"]
    assert r["found"] and "tensor [e, 3] float32" in r["data"]["text/plain"], r
    r = kc.inspect("adam(", 5, reply=True, timeout=10)["content"]
    assert r["found"] and "adam(params" in r["data"]["text/plain"], r
    r = kc.inspect("let w = randn(e, 7)\nw", 21, reply=True, timeout=10)["content"]
    assert r["found"] and "tensor [e, 7]" in r["data"]["text/plain"], r
    r = kc.inspect("nosuchname", 3, reply=True, timeout=10)["content"]
    assert not r["found"], r
    print("inspect ok")

    # --- is_complete
    for code, status in [("for i in 1..3 {", "incomplete"), ("let x = 1", "complete"), (":vars", "complete"), ("let = )", "invalid")]:
        msg_id = kc.is_complete(code)
        r = kc.get_shell_msg(timeout=10)
        assert r["parent_header"]["msg_id"] == msg_id, r
        r = r["content"]
        assert r["status"] == status, (code, r)
    print("is_complete ok")

    # --- plot: inline SVG
    outs, reply = run("plot([1, 4, 2, 8], title: \"numbers\")")
    shown = of_type(outs, "display_data")
    assert reply["status"] == "ok" and shown and shown[0]["data"]["image/svg+xml"].startswith("<svg") and "numbers" in shown[0]["data"]["image/svg+xml"], outs
    assert shown[0]["data"]["text/plain"], shown
    print("plot ok")

    # --- training: a progress display updated in place, log lines, and an interrupt that keeps what was trained
    setup = """seed 42
    dim width = 16
    model body = mlp(width -> 32 -> width, act: gelu, residual: true) frozen
    model head = linear(width -> 8) frozen
    encoder pe = mlp(4, width, hidden: 32)
    data blobs = synthetic_classes(n: 64, seq: 8, dim: width, classes: 8)
    fn predict(x) = head(mean(body(prompt(pe, x)), axis: 1))
    let before = item(cross_entropy(predict(blobs.x), blobs.y))"""
    outs, reply = run(setup)
    assert reply["status"] == "ok", reply
    outs, reply = run("let run = train pe on blobs {\n  loss: cross_entropy(predict(batch.x), batch.y)\n  optimizer: adam(lr: 1e-3)\n"
                      "  batch: 16\n  epochs: 40\n  log: every 80 steps\n}")
    assert reply["status"] == "ok", reply
    progress = [(t, c) for t, c in outs if t in ("display_data", "update_display_data")]
    assert progress and progress[0][0] == "display_data", progress
    ids = {c["transient"]["display_id"] for t, c in progress}
    assert len(ids) == 1, progress
    assert "160/160" in progress[-1][1]["data"]["text/plain"] and "<progress" in progress[-1][1]["data"]["text/html"], progress[-1]
    stdout = "".join(c["text"] for c in of_type(outs, "stream") if c["name"] == "stdout")
    assert "step 80/160" in stdout and "step 160/160" in stdout and "trained pe: 160 steps" in stdout, stdout
    print("progress ok")

    outs, reply = run("let tokens_before = pe()")
    assert reply["status"] == "ok", reply
    long_train = ("let again = train pe on blobs {\n  loss: cross_entropy(predict(batch.x), batch.y)\n"
                  "  optimizer: adam(lr: 1e-3)\n  batch: 16\n  epochs: 1000000\n}")
    msg_id = kc.execute(long_train)
    wait_for(msg_id, "display_data")  # the progress display: a step has been taken
    km.interrupt_kernel()  # SIGINT, as "interrupt kernel" sends
    reply = kc.get_shell_msg(timeout=30)["content"]
    assert reply["status"] == "error" and reply["ename"] == "Interrupted" and "keep their trained values" in reply["evalue"], reply
    outs, reply = run("item(sum(abs(pe() - tokens_before))) > 0")
    assert of_type(outs, "execute_result")[0]["data"]["text/plain"] == "true", outs
    print("interrupt (SIGINT) ok")

    msg_id = kc.execute("let n = 0\nfor i in 1..100000000 {\n  n = i\n  if i == 1000 { print \"running\" }\n}")
    wait_for(msg_id, "stream")  # the loop is running
    kc.control_channel.send(kc.session.msg("interrupt_request", {}))
    control = kc.control_channel.get_msg(timeout=10)
    assert control["msg_type"] == "interrupt_reply" and control["content"]["status"] == "ok", control
    reply = kc.get_shell_msg(timeout=30)["content"]
    assert reply["status"] == "error" and reply["ename"] == "Interrupted", reply
    outs, reply = run("n >= 1000")
    assert of_type(outs, "execute_result")[0]["data"]["text/plain"] == "true", outs
    print("interrupt (control) ok")

    # --- heartbeat: the kernel echoes
    context = zmq.Context.instance()
    hb = context.socket(zmq.REQ)
    hb.connect("tcp://%s:%d" % (km.ip, km.hb_port))
    hb.send(b"ping")
    assert hb.poll(5000) and hb.recv() == b"ping"
    hb.close(linger=0)
    print("heartbeat ok")

    # --- shutdown: the kernel and its session process end
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    assert not km.is_alive()
    print("shutdown ok")
finally:
    if km.is_alive():
        km.shutdown_kernel(now=True)
