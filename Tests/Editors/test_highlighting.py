"""The highlighters colour every example and golden program with no error token, and flag exactly what ptune's
lexer rejects: the Pygments lexer (editors/pygments, also over the bad-input corpus) and the TextMate grammar
(grammar/ptune.tmLanguage.json) run by a real TextMate engine, babi's, on the Oniguruma regex library. The Pygments
lexer installs as a plugin that Pygments finds by name."""

import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import pytest
from pygments.token import Error

from conftest import BINARY, ROOT, corpus, corpus_id, count, editor_text, ptune_check

pytestmark = pytest.mark.skipif(not BINARY, reason="PTUNE_BINARY is not set (EditorIntegrationTests sets it)")

PYGMENTS_DIR = ROOT / "editors/pygments"
GRAMMAR = ROOT / "grammar/ptune.tmLanguage.json"

# The messages of ptune's lexer (Message.isLexical).
LEXICAL = ("unexpected character", "invalid UTF-8", "invalid number", "unknown escape sequence",
           "incomplete escape sequence", "unterminated string")


def load_lexer():
    spec = importlib.util.spec_from_file_location("ptune_lexer", PYGMENTS_DIR / "ptune_lexer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PtuneLexer()


LEXER = load_lexer()


def lexical_lines(path: pathlib.Path, text: str, valid_utf8: bool) -> tuple[set[int], bool]:
    """The lines (1-based) where ptune's lexer reports an error, and whether every error was reported (ptune
    stops listing syntax errors after 20)."""
    with tempfile.TemporaryDirectory() as scratch:
        checked = path
        if not valid_utf8:
            checked = pathlib.Path(scratch) / path.name
            checked.write_text(text, encoding="utf-8")
        _, diagnostics = ptune_check(checked)
    lines = {d["line"] for d in diagnostics if d["file"] == path.name and d["message"].startswith(LEXICAL)}
    complete = not any(d["message"].startswith("too many syntax errors") for d in diagnostics)
    return lines, complete


def expect_errors_where_ptune_lexer_fails(path, text, valid_utf8, error_lines: set[int]) -> None:
    expected, complete = lexical_lines(path, text, valid_utf8)
    if not expected:
        assert not error_lines, f"error tokens on lines {sorted(error_lines)}, where ptune's lexer finds nothing"
        count("files with no error token, as ptune's lexer")
    else:
        assert error_lines, f"ptune's lexer fails on lines {sorted(expected)}, the highlighter flags nothing"
        if complete:
            assert error_lines <= expected, f"error tokens on {sorted(error_lines)}; ptune's lexer fails on {sorted(expected)}"
        count("files whose error tokens match ptune's lexical errors")


@pytest.mark.parametrize("path", corpus(), ids=corpus_id)
def test_pygments_lexer(path: pathlib.Path):
    text, valid_utf8 = editor_text(path)
    tokens = list(LEXER.get_tokens_unprocessed(text))
    assert "".join(v for _, _, v in tokens) == text, "the tokens spell the text"
    error_lines = {text.count("\n", 0, i) + 1 for i, t, v in tokens if t in Error}
    expect_errors_where_ptune_lexer_fails(path, text, valid_utf8, error_lines)


def textmate_corpus() -> list[pathlib.Path]:
    """Examples and golden programs (the bad-input corpus's 100,000-character lines are beyond the engine's pace)."""
    return [p for p in corpus() if "BadInput" not in p.parts]


@pytest.fixture(scope="module")
def textmate():
    highlight = pytest.importorskip("babi.highlight", reason="babi (the TextMate engine) is not installed")
    folder = tempfile.mkdtemp()
    shutil.copy(GRAMMAR, os.path.join(folder, "source.ptune.json"))
    compiler = highlight.Grammars(folder).compiler_for_scope("source.ptune")
    yield lambda text: tokenize(highlight, compiler, text)
    shutil.rmtree(folder)


def tokenize(highlight, compiler, text: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, text, scopes) for each region the engine gives, line by line as an editor feeds it."""
    state = compiler.root_state
    out = []
    for i, line in enumerate(text.split("\n")):
        state, regions = highlight.highlight_line(compiler, state, line + "\n", i == 0)
        out += [(i + 1, line[r.start:r.end], r.scope) for r in regions]
    return out


@pytest.mark.parametrize("path", textmate_corpus(), ids=corpus_id)
def test_textmate_grammar(textmate, path: pathlib.Path):
    text, valid_utf8 = editor_text(path)
    regions = textmate(text)
    error_lines = {line for line, _, scopes in regions if any(s.startswith("invalid") for s in scopes)}
    expect_errors_where_ptune_lexer_fails(path, text, valid_utf8, error_lines)
    # Keywords and builtins get their scopes.
    scopes = {s for _, _, ss in regions for s in ss}
    if "\nlet " in "\n" + text:
        assert "storage.type.ptune" in scopes


def test_textmate_scopes_of_a_recipe(textmate):
    regions = textmate('let run = train pe on d {\n  loss: mse(x, y) # c\n  log: every 10 steps\n  resume: "c.ckpt" if exists\n}\n'
                       'save pe to "a {x}\\n"\n')
    by_text = {}
    for _, text, scopes in regions:
        by_text.setdefault(text, scopes[-1])
    assert by_text["train"] == "keyword.control.train.ptune" and by_text["on"] == "keyword.control.train.ptune"
    assert by_text["loss"] == "variable.parameter.ptune"
    assert by_text["mse"] == "support.function.builtin.ptune"
    assert by_text["# c"] == "comment.line.number-sign.ptune"
    assert by_text["every"] == "keyword.other.ptune" and by_text["to"] == "keyword.other.ptune"
    assert by_text["if"] == "keyword.control.ptune" and by_text["exists"] == "keyword.other.ptune"
    assert by_text["{x}"] == "constant.other.placeholder.ptune" and by_text["\\n"] == "constant.character.escape.ptune"


def test_pygments_tokens_of_a_recipe():
    from pygments.token import Comment, Keyword, Name, String
    text = ('let run = train pe on d {\n  loss: mse(x, y) # c\n  log: every 10 steps\n  resume: "c.ckpt" if exists\n}\n'
            'save pe to "a {x}\\n"\ndata train = 3\n')
    by_text = {}
    for _, token, value in LEXER.get_tokens_unprocessed(text):
        by_text.setdefault(value, token)
    for word in ("train", "on", "every", "if", "exists", "save", "to"):
        assert by_text[word] in Keyword, (word, by_text[word])
    assert by_text["let"] in Keyword.Declaration and by_text["data"] in Keyword.Declaration
    assert by_text["mse"] in Name.Builtin and by_text["loss"] in Name.Label and by_text["# c"] in Comment
    assert by_text["{x}"] in String.Interpol and by_text["\\n"] in String.Escape
    # A contextual word used as a name is a name: `data train = 3` declares `train`.
    tokens = [(t, v) for _, t, v in LEXER.get_tokens_unprocessed("data train = 3\n") if v.strip()]
    assert tokens[1] == (Name.Variable, "train"), tokens


def test_pygments_finds_the_installed_plugin_by_name(tmp_path):
    """`pip install editors/pygments` registers the lexer, so `get_lexer_by_name("ptune")` (Jupyter, Sphinx) finds it."""
    target = tmp_path / "site"
    args = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
            "--target", str(target), str(PYGMENTS_DIR)]
    if importlib.util.find_spec("setuptools") is not None:
        args.insert(4, "--no-build-isolation")
    build = tmp_path / "build"
    shutil.copytree(PYGMENTS_DIR, build, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    args[-1] = str(build)
    r = subprocess.run(args, capture_output=True, text=True, timeout=300)
    if r.returncode != 0 and "No matching distribution" in r.stderr:
        pytest.skip("pip cannot reach setuptools to build the plugin: " + r.stderr.strip()[-200:])
    assert r.returncode == 0, r.stderr
    probe = ("from pygments.lexers import get_lexer_by_name, get_lexer_for_filename\n"
             "print(type(get_lexer_by_name('ptune')).__name__, type(get_lexer_for_filename('recipe.pt')).__name__)\n")
    env = dict(os.environ, PYTHONPATH=str(target))
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert r.stdout.split() == ["PtuneLexer", "PtuneLexer"], r.stderr
