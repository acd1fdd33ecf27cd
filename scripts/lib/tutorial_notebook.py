"""docs/tutorial.ipynb is docs/tutorial.md as a notebook: this makes it, and checks it.

usage: python tutorial_notebook.py write PTUNE_BINARY          regenerate docs/tutorial.ipynb and run it
       python tutorial_notebook.py check PTUNE_BINARY SCRATCH  what the tests run (below)

The notebook has one markdown cell for the prose between two code blocks and one code cell per ```ptune block,
without its `# =>` lines (what the block prints: in the notebook, its outputs) and `# stderr:` lines. Both modes install the kernel spec
into a scratch prefix (`ptune jupyter install --prefix`) and execute the notebook with nbclient. `check` verifies
that the committed notebook's cells are still those of the tutorial, that every cell prints exactly its `# =>`
lines and what the committed notebook shows (values, charts as SVG; progress bars only by kind, since they carry
times), and that an interrupt stops a training cell and keeps what it trained. Needs the Python environment of
the tests (nbformat, nbclient, jupyter_client).
"""
import copy
import os
import subprocess
import sys
import tempfile

import nbformat
from nbclient import NotebookClient

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MARKDOWN = os.path.join(ROOT, "docs", "tutorial.md")
NOTEBOOK = os.path.join(ROOT, "docs", "tutorial.ipynb")
PROMPT = "# =>"
STDERR = "# stderr:"  # what the block writes to the terminal's standard error: no part of a notebook cell


def cells_of_tutorial():
    """The notebook cells of docs/tutorial.md, and each code cell's expected standard output (None: unchecked)."""
    with open(MARKDOWN, encoding="utf-8") as f:
        lines = f.read().split("\n")
    cells, expected, prose, code, in_code = [], [], [], [], False

    def flush_prose():
        text = "\n".join(prose).strip("\n")
        if text:
            cells.append(nbformat.v4.new_markdown_cell(text))
        prose.clear()

    for line in lines:
        if not in_code and line.strip() == "```ptune":
            flush_prose()
            in_code, code = True, []
        elif in_code and line.strip() == "```":
            in_code = False
            source = [l for l in code if not l.strip().startswith((PROMPT, STDERR))]
            shown = [l.strip()[len(PROMPT):][1:] for l in code if l.strip().startswith(PROMPT)]
            cells.append(nbformat.v4.new_code_cell("\n".join(source)))
            expected.append("".join(s + "\n" for s in shown) if shown else None)
        elif in_code:
            code.append(line)
        else:
            prose.append(line)
    flush_prose()
    return cells, expected


def notebook_of_tutorial():
    cells, expected = cells_of_tutorial()
    for i, cell in enumerate(cells):
        cell.id = "cell-%d" % i  # stable ids: regenerating changes only what changed
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "ptune", "language": "ptune", "name": "ptune"}
    nb.metadata["language_info"] = {"name": "ptune", "file_extension": ".pt", "mimetype": "text/x-ptune"}
    return nb, expected


def install_kernel(binary, scratch):
    prefix = os.path.join(scratch, "prefix")
    subprocess.run([binary, "jupyter", "install", "--prefix", prefix], check=True, stdout=subprocess.DEVNULL)
    os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")


def execute(nb, timeout_func=None):
    client = NotebookClient(nb, kernel_name="ptune", timeout=300, timeout_func=timeout_func, interrupt_on_timeout=True,
                            coalesce_streams=True, record_timing=False, resources={"metadata": {"path": os.path.join(ROOT, "docs")}})
    client.execute()
    return nb


def is_progress(output):
    return output.get("output_type") == "display_data" and "ptune-progress" in output.get("data", {}).get("text/html", "")


def shown(cell):
    """What a code cell shows, comparable between runs: progress displays only by kind."""
    out = []
    for o in cell.get("outputs", []):
        kind = o["output_type"]
        if kind == "stream":
            out.append(("stream", o["name"], o["text"]))
        elif is_progress(o):
            out.append(("progress",))
        elif kind in ("execute_result", "display_data"):
            out.append((kind, tuple(sorted((k, v) for k, v in o["data"].items()))))
        elif kind == "error":
            out.append(("error", o["ename"], o["evalue"]))
    return out


def printed(cell):
    """What the cell prints as text, as the REPL would: its standard output, and each chart's text drawing (the
    notebook shows the chart as SVG, the terminal draws it)."""
    out = []
    for o in cell.get("outputs", []):
        if o["output_type"] == "stream" and o["name"] == "stdout":
            out.append(o["text"])
        elif o["output_type"] == "display_data" and "image/svg+xml" in o.get("data", {}):
            out.append(o["data"]["text/plain"] + "\n")
    return "".join(out)


def write(binary):
    nb, _ = notebook_of_tutorial()
    with tempfile.TemporaryDirectory() as scratch:
        install_kernel(binary, scratch)
        execute(nb)
    nbformat.write(nb, NOTEBOOK)
    print("wrote", os.path.relpath(NOTEBOOK, ROOT))


def check(binary, scratch):
    nb, expected = notebook_of_tutorial()
    committed = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(committed)
    sources = [(c.cell_type, c.source) for c in committed.cells]
    assert sources == [(c.cell_type, c.source) for c in nb.cells], \
        "docs/tutorial.ipynb is not docs/tutorial.md as a notebook: run scripts/make-tutorial-notebook"
    assert committed.metadata["kernelspec"]["name"] == "ptune"
    print("cells ok: %d markdown, %d code" % (sum(c.cell_type == "markdown" for c in nb.cells), len(expected)))

    # Two cells more: a training that runs until interrupted (nbclient interrupts a cell at its timeout, with the
    # kernel's interrupt: SIGINT), and one that shows the interrupted training kept what it trained.
    n = len(nb.cells)
    nb.cells.append(nbformat.v4.new_code_cell("let tokens_before = pe()"))
    long_cell = nbformat.v4.new_code_cell("let forever = train pe on blobs {\n  loss: cross_entropy(predict(batch.x), batch.y)\n"
                                          "  optimizer: adam(lr: 1e-3)\n  batch: 32\n  epochs: 1000000\n}")
    long_cell.metadata["tags"] = ["raises-exception"]
    nb.cells.append(long_cell)
    nb.cells.append(nbformat.v4.new_code_cell("item(sum(abs(pe() - tokens_before))) > 0"))
    install_kernel(binary, scratch)
    execute(nb, timeout_func=lambda cell: 6 if cell is long_cell else 300)

    code_cells = [c for c in nb.cells[:n] if c.cell_type == "code"]
    committed_code = [c for c in committed.cells if c.cell_type == "code"]
    for i, (cell, want, old) in enumerate(zip(code_cells, expected, committed_code)):
        assert not any(o["output_type"] == "error" for o in cell.outputs), (i, cell.source, cell.outputs)
        if want is not None:
            assert printed(cell) == want, "code cell %d prints %r, the tutorial says %r" % (i, printed(cell), want)
        assert shown(cell) == shown(old), "code cell %d shows %r, the committed notebook %r" % (i, shown(cell), shown(old))
    print("outputs ok: every code cell prints its # => lines and what docs/tutorial.ipynb shows")

    charts = [o for c in code_cells for o in c.outputs if "image/svg+xml" in o.get("data", {})]
    assert charts and charts[0]["data"]["image/svg+xml"].startswith("<svg") and "<polyline" in charts[0]["data"]["image/svg+xml"], charts
    assert any(is_progress(o) for c in code_cells for o in c.outputs), "no progress display"
    tables = [o for c in code_cells for o in c.outputs if "<table" in o.get("data", {}).get("text/html", "")]
    print("inline SVG ok (%d chart), progress display ok, %d HTML tables" % (len(charts), len(tables)))

    stopped = nb.cells[n + 1]
    errors = [o for o in stopped.outputs if o["output_type"] == "error"]
    assert errors and errors[0]["ename"] == "Interrupted" and "keep their trained values" in errors[0]["evalue"], stopped.outputs
    assert any(is_progress(o) for o in stopped.outputs), stopped.outputs
    kept = [o for o in nb.cells[n + 2].outputs if o["output_type"] == "execute_result"]
    assert kept and kept[0]["data"]["text/plain"] == "true", nb.cells[n + 2].outputs
    print("interrupt ok: the training cell stopped and kept what it trained")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "write":
        write(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
