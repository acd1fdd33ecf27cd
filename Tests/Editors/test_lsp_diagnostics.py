"""On every example, every script of the bad-input corpus and every golden program, the diagnostics the language
server publishes for the document are those `ptune check` prints for the file: the same messages, in the same order,
on the same lines and column ranges (LSP positions count UTF-16 units; ptune's columns count characters), with the
notes as related information. Errors inside an imported file are shown on the `import`, prefixed with their place."""

import asyncio
import pathlib
import tempfile

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from conftest import (BINARY, ROOT, characters, corpus, corpus_id, count, editor_text, line_of, ptune_check,
                      server_command, utf16_column)

pytestmark = pytest.mark.skipif(not BINARY, reason="PTUNE_BINARY is not set (EditorIntegrationTests sets it)")


@pytest_lsp.fixture(config=ClientServerConfig(server_command=server_command()), scope="module")
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=pytest_lsp.client_capabilities("visual-studio-code")))
    yield
    await lsp_client.shutdown_session()


async def diagnostics_for(client: LanguageClient, uri: str, text: str) -> list[types.Diagnostic]:
    """Opens the document and waits for its diagnostics."""
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="ptune", version=1, text=text)))

    async def wait():
        while uri not in client.diagnostics:
            await asyncio.sleep(0.002)
        return list(client.diagnostics[uri])

    got = await asyncio.wait_for(wait(), timeout=60)
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    return got


def describe(expected, got) -> str:
    return ("ptune check:\n  " + "\n  ".join(f"{e['file']}:{e['line']}:{e['col']} {e['message']} (width {e['width']})"
                                             for e in expected)
            + "\nserver:\n  " + "\n  ".join(f"{g.range.start.line + 1}:{g.range.start.character + 1}-"
                                          f"{g.range.end.line + 1}:{g.range.end.character + 1} {g.message}" for g in got))


def expect_position(text: str, line: int, col: int, position: types.Position) -> None:
    """A 1-based line and character column of ptune's is the LSP position (0-based, UTF-16 units)."""
    assert position.line == line - 1
    assert position.character == utf16_column(line_of(text, line - 1), col - 1)


@pytest.mark.parametrize("path", corpus(), ids=corpus_id)
async def test_diagnostics_equal_ptune_check(client: LanguageClient, path: pathlib.Path):
    text, valid_utf8 = editor_text(path)
    with tempfile.TemporaryDirectory() as scratch:
        checked = path
        if not valid_utf8:
            # The protocol carries Unicode text only: check what the editor holds (the bytes decoded with
            # replacement characters), written out under the same name.
            checked = pathlib.Path(scratch) / path.name
            checked.write_text(text, encoding="utf-8")
            count("files decoded from invalid UTF-8")
        status, expected = ptune_check(checked)
    assert status in (0, 65), f"ptune check exited with {status}"
    got = await diagnostics_for(client, path.as_uri(), text)
    assert len(got) == len(expected), describe(expected, got)
    count("files compared")
    for e, g in zip(expected, got):
        assert g.severity == (types.DiagnosticSeverity.Error if e["severity"] == "error" else types.DiagnosticSeverity.Warning)
        assert g.source == "ptune"
        if e["file"] is None:
            # No place in a source (the error limit, a --set no declaration takes): the start of the document.
            assert g.message == e["message"]
            assert (g.range.start.line, g.range.start.character, g.range.end.line, g.range.end.character) == (0, 0, 0, 0)
        elif e["file"] == path.name:
            assert g.message == e["message"], describe(expected, got)
            expect_position(text, e["line"], e["col"], g.range.start)
            line_text = line_of(text, e["line"] - 1)
            if e["width"] is not None and len(line_text) <= 160:
                if g.range.end.line == g.range.start.line:
                    # ptune marks at least one character, and the span's characters.
                    width = characters(line_text, g.range.end.character) - (e["col"] - 1)
                    assert max(1, width) == e["width"], describe(expected, got)
                else:
                    # A span over several lines: ptune marks the rest of its first line.
                    assert e["width"] == max(1, len(line_text) - (e["col"] - 1))
                    assert g.range.end.line > g.range.start.line
            count("diagnostics compared, in the document")
        else:
            # In an imported file: on the import, with the file's own place in the message and the related location.
            assert g.message == f"{e['file']}:{e['line']}:{e['col']}: {e['message']}", describe(expected, got)
            assert g.related_information, "an error in an imported file gives its location"
            where = g.related_information[0].location
            assert where.uri.endswith("/" + pathlib.Path(e["file"]).name)
            imported = pathlib.Path(where.uri.removeprefix("file://")).read_text(encoding="utf-8", errors="replace")
            expect_position(imported, e["line"], e["col"], where.range.start)
            count("diagnostics compared, in imported files")
        notes = [(r.message, r.location.range.start) for r in (g.related_information or [])]
        for n in e["notes"]:
            assert any(message == n["message"] and start.line == n["line"] - 1 for message, start in notes), \
                f"note {n} missing from {notes}"
            count("notes compared")
