"""docs/editors.md's set-ups in real editors. Headless Neovim and batch Emacs (with eglot, and with lsp-mode) start
with the configuration the doc shows, taken from the doc as written, and find the `ptune` it names on the PATH. Each
editor opens a recipe with known errors and the bad-input scripts, and must hold the diagnostics `ptune check`
prints for them (message, severity, line and column); a hover and a completion made through the editor's own LSP
client must be what the server answers for the same text and place. A set-up for an editor or version that is not
installed skips, saying which (scripts/test installs Debian's neovim, emacs-nox, elpa-eglot and elpa-lsp-mode)."""

import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

import pytest

from conftest import BINARY, ROOT, count, ptune_check
from test_lsp_protocol import RawClient

pytestmark = pytest.mark.skipif(not BINARY, reason="PTUNE_BINARY is not set (EditorIntegrationTests sets it)")

DOC = ROOT / "docs/editors.md"
DRIVERS = pathlib.Path(__file__).resolve().parent / "drivers"
TIMEOUT_MS = 30_000

# The recipe the editors open: the seed example with two misspelt names, which the checker reports.
RECIPE_ERRORS = [("let g = grad(mse(forward(), target), encoder)", "let g = grad(mse(forward(), target), encodr)"),
                 ('print "loss after", mse(forward(), target)', 'print "loss after", mse(forward(), targte)')]
HOVER_LINE, HOVER_WORD = "param encoder = randn(virtual, embed)", "encoder"
COMPLETION_TEXT, COMPLETION_EXPECTED = "let o2 = ad", "adam"


def doc_blocks(language: str) -> list[tuple[str, str]]:
    """Each fenced block of docs/editors.md in `language`, with the paragraph that introduces it."""
    text = DOC.read_text(encoding="utf-8")
    pattern = r"^(?P<intro>(?:[^\n]+\n)+?)\n```" + re.escape(language) + r"\n(?P<body>.*?)^```$"
    return [(m["intro"], m["body"]) for m in re.finditer(pattern, text, re.S | re.M)]


def version(text: str) -> tuple[int, int]:
    major, minor = re.search(r"(\d+)\.(\d+)", text).groups()
    return int(major), int(minor)


def neovim_setups() -> list[tuple[tuple[int, int], tuple[int, int] | None, str]]:
    """The Neovim configurations, each with the versions its introduction names (lowest, highest or None)."""
    setups = []
    for intro, body in doc_blocks("lua"):
        m = re.match(r"Neovim (\d+\.\d+)( and later| to (\d+\.\d+))?", intro)
        assert m, f"a Neovim configuration's introduction does not say which versions it is for: {intro!r}"
        lowest = version(m[1])
        highest = None if m[2] == " and later" else version(m[3] or m[1])
        setups.append((lowest, highest, body))
    return setups


def emacs_init(client: str) -> str:
    """The Emacs init for `client` (eglot or lsp-mode): the doc's major mode, then the doc's set-up of that client."""
    mode, eglot, lsp_mode = [body for _, body in doc_blocks("elisp")]
    return mode + "\n" + {"eglot": eglot, "lsp-mode": lsp_mode}[client]


@dataclass
class Scenario:
    """What the editors open, and what they must show."""
    workspace: pathlib.Path
    files: list[pathlib.Path]
    expected: dict[str, list[tuple]]   # path -> sorted (line, col, severity, message) that `ptune check` prints
    hover: dict                        # where to hover (1-based line and character column), and the server's answer
    completion: list[str]              # the labels the server offers at the end of COMPLETION_TEXT


def checked_diagnostics(path: pathlib.Path) -> list[tuple] | None:
    """`ptune check`'s diagnostics of the file as (line, col, severity, message), or None when some are not in the
    file itself (in an import, or with no place): the pytest-lsp suite compares those."""
    status, diagnostics = ptune_check(path, cwd=path.parent)
    assert status in (0, 65), f"ptune check exited with {status}"
    if not diagnostics or any(d["file"] != path.name for d in diagnostics):
        return None
    return sorted((d["line"], d["col"], d["severity"], d["message"]) for d in diagnostics)


def server_answers(path: pathlib.Path, text: str, hover: tuple[int, int]) -> tuple[dict, list[str]]:
    """The server's own hover at `hover` (0-based line, character) and completion labels at the end of the typed
    line, asked directly over the protocol."""
    client = RawClient(cwd=path.parent)
    try:
        client.initialize()
        uri = path.as_uri()
        typed = text + COMPLETION_TEXT + "\n"
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "ptune", "version": 1,
                                                                "text": typed}})
        line, character = hover
        answer = client.response(client.request("textDocument/hover", {
            "textDocument": {"uri": uri}, "position": {"line": line, "character": character}}))["result"]
        completion = client.response(client.request("textDocument/completion", {
            "textDocument": {"uri": uri}, "position": {"line": text.count("\n"), "character": len(COMPLETION_TEXT)}}))
        items = completion["result"]
        items = items["items"] if isinstance(items, dict) else items
        client.response(client.request("shutdown"))
        client.notify("exit")
        client.close()
        return answer, sorted(item["label"] for item in items)
    finally:
        if client.process.poll() is None:
            client.process.kill()
            client.process.wait()


@pytest.fixture(scope="module")
def scenario():
    with tempfile.TemporaryDirectory() as folder:
        workspace = pathlib.Path(folder)
        text = (ROOT / "examples/seed.pt").read_text(encoding="utf-8")
        for good, bad in RECIPE_ERRORS:
            assert good in text
            text = text.replace(good, bad)
        recipe = workspace / "recipe.pt"
        recipe.write_text(text, encoding="utf-8")
        expected = {str(recipe): checked_diagnostics(recipe)}
        assert expected[str(recipe)] and len(expected[str(recipe)]) >= len(RECIPE_ERRORS)
        for path in sorted((ROOT / "Tests/ptuneTests/BadInput").glob("check_*.pt")):
            diagnostics = checked_diagnostics(path)
            if diagnostics:
                expected[str(path)] = diagnostics
        lines = text.split("\n")
        line = next(i for i, l in enumerate(lines) if l.startswith(HOVER_LINE))
        character = lines[line].index(HOVER_WORD)
        hover, completion = server_answers(recipe, text, (line, character))
        assert HOVER_WORD in json.dumps(hover) and COMPLETION_EXPECTED in completion
        yield Scenario(workspace, [pathlib.Path(p) for p in expected], expected,
                       {"path": str(recipe), "line": line + 1, "column": character + 1, "answer": hover}, completion)


def hover_lines(answer: dict) -> list[str]:
    """A hover's text, line by line, whether it came as plain text or as Markdown (which the editors ask for): code
    fences and blank lines left out."""
    contents = answer["contents"]
    text = contents["value"] if isinstance(contents, dict) else contents
    return [line for line in text.split("\n") if line.strip() and not line.startswith("```")]


def ptune_on_path(home: pathlib.Path) -> dict[str, str]:
    """An environment whose PATH finds the binary under test as `ptune`, as the doc's configurations name it, and
    whose home and XDG folders are `home` (no user's configuration is read, nothing is written outside it)."""
    bin_dir = home / "bin"
    bin_dir.mkdir()
    (bin_dir / "ptune").symlink_to(BINARY)
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", HOME=str(home),
               XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
               XDG_STATE_HOME=str(home / ".local/state"), XDG_CACHE_HOME=str(home / ".cache"))
    return env


def write_spec(home: pathlib.Path, scenario: Scenario) -> pathlib.Path:
    spec = home / "spec.json"
    spec.write_text(json.dumps({
        "files": [str(p) for p in scenario.files], "timeout_ms": TIMEOUT_MS, "out": str(home / "result.json"),
        "hover": {k: scenario.hover[k] for k in ("path", "line", "column")}, "completion": {"text": COMPLETION_TEXT},
    }), encoding="utf-8")
    return spec


def run_editor(command: list[str], home: pathlib.Path, scenario: Scenario, env: dict[str, str]) -> dict:
    env["PTUNE_EDITOR_SPEC"] = str(write_spec(home, scenario))
    r = subprocess.run(command, cwd=scenario.workspace, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=300)
    out = home / "result.json"
    assert out.exists(), f"{command[0]} exited with {r.returncode} and wrote nothing:\n" \
                         f"{r.stdout.decode(errors='replace')[-3000:]}\n{r.stderr.decode(errors='replace')[-3000:]}"
    result = json.loads(out.read_text(encoding="utf-8"))
    assert "error" not in result, f"the {command[0]} driver failed: {result['error']}\n" \
                                  f"{r.stderr.decode(errors='replace')[-3000:]}"
    return result


def expect_diagnostics(files: list[dict], scenario: Scenario, shown=lambda message: message) -> None:
    """Each file's diagnostics in the editor are `ptune check`'s; `shown` is how the editor words a message."""
    assert [f["path"] for f in files] == [str(p) for p in scenario.files]
    for f in files:
        assert f["received"], f"no diagnostics reached the editor for {f['path']}: {f}"
        got = sorted((d["line"], d["col"], d["severity"], d["message"]) for d in f["diagnostics"])
        want = [(line, col, severity, shown(message)) for line, col, severity, message in scenario.expected[f["path"]]]
        assert got == want, f"{f['path']}:\neditor:      {got}\nptune check: {want}"
        count("diagnostics compared in editors", len(got))


def installed(program: str) -> str:
    path = shutil.which(program)
    if not path:
        pytest.skip(f"{program} is not installed (scripts/test installs it from Debian; apt-get install failed?)")
    return path


# Neovim


def neovim_version(nvim: str) -> tuple[int, int, str]:
    first = subprocess.run([nvim, "--version"], capture_output=True, text=True, timeout=60).stdout.split("\n")[0]
    major, minor = version(first)
    return major, minor, first


@pytest.mark.parametrize("lowest,highest,config", neovim_setups(),
                         ids=lambda v: "" if not isinstance(v, tuple) else ".".join(map(str, v)))
def test_neovim_with_the_documented_init_lua(scenario, lowest, highest, config):
    nvim = installed("nvim")
    major, minor, name = neovim_version(nvim)
    if (major, minor) < lowest or (highest is not None and (major, minor) > highest):
        versions = ".".join(map(str, lowest)) + (" and later" if highest is None else
                                                  "" if highest == lowest else " to " + ".".join(map(str, highest)))
        pytest.skip(f"{name} is installed; this init.lua is for Neovim {versions}")
    with tempfile.TemporaryDirectory() as folder:
        home = pathlib.Path(folder)
        env = ptune_on_path(home)
        (home / ".config/nvim").mkdir(parents=True)
        (home / ".config/nvim/init.lua").write_text(config, encoding="utf-8")
        result = run_editor([nvim, "--headless", "-n", "-i", "NONE", "-c", f"luafile {DRIVERS / 'neovim.lua'}"],
                            home, scenario, env)
    for f in result["files"]:
        assert f["filetype"] == "ptune" and f["attached"], f"{f['path']}: filetype {f['filetype']!r}, " \
                                                           f"{'a' if f['attached'] else 'no'} client attached"
    expect_diagnostics(result["files"], scenario)
    hover = result["hover"]
    assert hover["position"] == {"line": scenario.hover["line"] - 1, "character": scenario.hover["column"] - 1}
    assert hover_lines(hover["result"]) == hover_lines(scenario.hover["answer"]), hover
    assert hover["result"]["range"] == scenario.hover["answer"]["range"], hover
    completion = result["completion"]
    assert completion["mode"] == "i", completion
    assert completion["position"] == {"line": completion["line"] - 1, "character": len(COMPLETION_TEXT)}
    items = completion["result"]
    items = items["items"] if isinstance(items, dict) else items
    assert sorted(item["label"] for item in items) == scenario.completion
    count("editor sessions", 1)


# Emacs


@pytest.mark.parametrize("client", ["eglot", "lsp-mode"])
def test_emacs_with_the_documented_init(scenario, client):
    emacs = installed("emacs")
    with tempfile.TemporaryDirectory() as folder:
        home = pathlib.Path(folder)
        env = ptune_on_path(home)
        init = home / "init.el"
        init.write_text(emacs_init(client), encoding="utf-8")
        # An interactive Emacs activates the installed packages (eglot, lsp-mode) before reading the init file;
        # batch Emacs does not, so it is asked to.
        command = [emacs, "--batch", "--eval", "(package-activate-all)", "-l", str(init)]
        if client == "lsp-mode":
            # lsp-mode asks, the first time, which folder is the project: the answer a user gives is kept in its
            # session file, made here beforehand.
            session = home / ".emacs.d/.lsp-session-v1"
            folders = " ".join(json.dumps(str(p)) for p in sorted({scenario.workspace, *(f.parent for f in scenario.files)}))
            command += ["--eval", f"(setq lsp-session-file {json.dumps(str(session))})",
                        "--eval", f"(with-eval-after-load 'lsp-mode (setf (lsp-session-folders (lsp-session)) (list {folders})))"]
        result = run_editor([*command, "-l", str(DRIVERS / "emacs.el")], home, scenario, env)
    for f in result["files"]:
        if f["mode"] != "ptune-mode" or f["client"] != client:
            pytest.fail(f"{f['path']} is in {f['mode']} managed by {f['client']}, not ptune-mode with {client}")
    # eglot shows a diagnostic's source before its message.
    expect_diagnostics(result["files"], scenario, (lambda m: f"ptune: {m}") if client == "eglot" else (lambda m: m))
    answer = json.loads(result["hover"])
    assert hover_lines(answer) == hover_lines(scenario.hover["answer"]), answer
    completion = result["completion"]
    assert completion["prefix"] == COMPLETION_TEXT.split()[-1]
    assert COMPLETION_EXPECTED in completion["candidates"], completion
    assert set(completion["candidates"]) <= set(scenario.completion), completion
    count("editor sessions", 1)
