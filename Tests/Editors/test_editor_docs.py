"""The editor set-ups docs/editors.md shows are what ptune ships: every JSON and TOML block parses, each editor
starts the server with the same command (`ptune lsp`), claims `.pt` with `#` comments, names the TextMate grammar by
its scope, and the Emacs mode's word lists are the lexer's reserved words. The command itself answers `initialize`."""

import importlib.util
import json
import pathlib
import re
import tomllib

import pytest

from conftest import BINARY, ROOT
from test_lsp_protocol import RawClient

DOC = ROOT / "docs/editors.md"
GRAMMAR = json.loads((ROOT / "grammar/ptune.tmLanguage.json").read_text(encoding="utf-8"))


def blocks(language: str) -> list[str]:
    """The fenced code blocks of docs/editors.md in `language`."""
    text = DOC.read_text(encoding="utf-8")
    return re.findall(r"^```" + re.escape(language) + r"\n(.*?)^```$", text, re.S | re.M)


def pygments_words(name: str) -> set[str]:
    spec = importlib.util.spec_from_file_location("ptune_lexer", ROOT / "editors/pygments/ptune_lexer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return set(getattr(module, name))


def test_vscode_extension_files():
    package, language_configuration = [json.loads(b) for b in blocks("json")]
    contributes = package["contributes"]
    assert contributes["languages"] == [{"id": "ptune", "aliases": ["ptune"], "extensions": [".pt"],
                                         "configuration": "./language-configuration.json"}]
    assert contributes["grammars"][0]["scopeName"] == GRAMMAR["scopeName"] == "source.ptune"
    assert contributes["grammars"][0]["language"] == "ptune" and package["activationEvents"] == ["onLanguage:ptune"]
    assert language_configuration["comments"]["lineComment"] == "#"
    assert {tuple(p) for p in language_configuration["brackets"]} == {("{", "}"), ("[", "]"), ("(", ")")}
    (script,) = blocks("js")
    assert '{ command: "ptune", args: ["lsp"] }' in script and 'language: "ptune"' in script


def test_helix_languages_toml():
    (block,) = blocks("toml")
    config = tomllib.loads(block)
    server = config["language-server"]["ptune"]
    assert [server["command"], *server["args"]] == ["ptune", "lsp"]
    (language,) = config["language"]
    assert language["file-types"] == ["pt"] and language["comment-token"] == "#"
    assert language["scope"] == GRAMMAR["scopeName"] and language["language-servers"] == ["ptune"]


def test_neovim_configurations():
    configurations = blocks("lua")
    assert len(configurations) == 3
    for lua in configurations:
        assert 'vim.filetype.add({ extension = { pt = "ptune" } })' in lua
        assert 'cmd = { "ptune", "lsp" }' in lua


def test_emacs_mode_words_are_the_lexers():
    mode, eglot, lsp_mode = blocks("elisp")
    lists = [set(re.findall(r'"([a-z]+)"', words)) for words in re.findall(r"regexp-opt '\((.*?)\)", mode, re.S)]
    assert len(lists) == 2
    keywords, constants = lists
    # The Pygments lexer's lists are checked against the lexer's token table (HighlighterTests).
    assert keywords | constants == pygments_words("KEYWORDS")
    assert constants == {"true", "false", "none"}
    assert '"\\\\.pt\\\\\'"' in mode and '(setq-local comment-start "# ")' in mode
    assert '(ptune-mode "ptune" "lsp")' in eglot
    assert "(lsp-stdio-connection '(\"ptune\" \"lsp\"))" in lsp_mode


@pytest.mark.skipif(not BINARY, reason="PTUNE_BINARY is not set (EditorIntegrationTests sets it)")
def test_the_documented_command_answers_initialize():
    client = RawClient()
    try:
        capabilities = client.initialize()["capabilities"]
        for provider in ("completionProvider", "hoverProvider", "definitionProvider", "documentSymbolProvider"):
            assert capabilities.get(provider), f"the server does not announce {provider}: {capabilities}"
        client.response(client.request("shutdown"))
        client.notify("exit")
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()
            client.process.wait()
