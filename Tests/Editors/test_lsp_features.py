"""Completion, hover, go-to-definition, document symbols and text synchronisation of `ptune lsp`, driven by a real
LSP client (pytest-lsp) with the client capabilities of Neovim (which agree on UTF-8 positions), on a script and a
file it imports."""

import asyncio
import pathlib
import subprocess

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from conftest import BINARY, ROOT, server_command

pytestmark = pytest.mark.skipif(not BINARY, reason="PTUNE_BINARY is not set (EditorIntegrationTests sets it)")

LIB = """\
# helpers for recipe.pt
dim hidden = 8
fn double(x) = x * 2
"""

RECIPE = """\
import "lib.pt"
seed 0
dim embed = 4
dim virtual = 2
param encoder = randn(virtual, embed)
frozen llm = randn(embed, 3)
let note = "😀 p-tuning"
fn forward(tokens) {
  let mixed = tokens @ llm
  return mixed
}
let opt = adam([encoder], lr: 0.1)
for step in 1..3 {
  opt.step(mse(forward(encoder), zeros(virtual, 3)))
}
data d = dataset(x: randn(8, embed), y: randn(8, 3))
let run = train encoder on d {
  loss: mse(batch.x @ llm, batch.y)
  optimizer: adam(lr: 0.01)
  epochs: 1
}
print double(hidden), run.final_loss
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> pathlib.Path:
    f = tmp_path_factory.mktemp("features")
    (f / "lib.pt").write_text(LIB)
    (f / "recipe.pt").write_text(RECIPE)
    return f


# The position encoding the server agreed on with the client (Neovim offers UTF-8 before UTF-16).
ENCODING = {"name": "utf-16"}


@pytest_lsp.fixture(config=ClientServerConfig(server_command=server_command()), scope="module")
async def client(lsp_client: LanguageClient):
    result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=pytest_lsp.client_capabilities("neovim")))
    ENCODING["name"] = result.capabilities.position_encoding or "utf-16"
    yield
    await lsp_client.shutdown_session()


def units(text: str) -> int:
    """How many units of the agreed position encoding `text` takes."""
    if ENCODING["name"] == "utf-8":
        return len(text.encode("utf-8"))
    if ENCODING["name"] == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le")) // 2


async def open_document(client: LanguageClient, path: pathlib.Path, text: str, version: int = 1) -> list[types.Diagnostic]:
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="ptune", version=version, text=text)))
    return await wait_diagnostics(client, uri)


async def wait_diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    async def wait():
        while uri not in client.diagnostics:
            await asyncio.sleep(0.002)
        return list(client.diagnostics[uri])
    return await asyncio.wait_for(wait(), timeout=60)


def position(text: str, needle: str, after: int = 0, occurrence: int = 1) -> types.Position:
    """The LSP position `after` characters into the `occurrence`-th occurrence of `needle`."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    index += after
    line = text.count("\n", 0, index)
    start = text.rfind("\n", 0, index) + 1
    return types.Position(line=line, character=units(text[start:index]))


async def complete(client, uri, text, pos) -> list[types.CompletionItem]:
    r = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=pos))
    return r.items if isinstance(r, types.CompletionList) else (r or [])


async def edit(client, uri, version, text, start, end, new) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=start, end=end), text=new)]))


@pytest.fixture(scope="module")
async def recipe(client, folder):
    diagnostics = await open_document(client, folder / "recipe.pt", RECIPE)
    assert diagnostics == [], [d.message for d in diagnostics]
    return (folder / "recipe.pt").as_uri()


async def test_completion_offers_keywords_builtins_and_names_in_scope(client, folder, recipe):
    # A new line at the end of the script: every top-level name, the builtins, the keywords.
    text = RECIPE + "ra"
    await edit(client, recipe, 2, text, position(RECIPE, "run.final_loss", 14), position(RECIPE, "run.final_loss", 14), "\nra")
    labels = {i.label: i for i in await complete(client, recipe, text, position(text, "\nra", 3))}
    assert "randn" in labels and labels["randn"].kind == types.CompletionItemKind.Function
    assert "randn(" in (labels["randn"].detail or "")
    assert "range" not in labels or labels["range"].kind != types.CompletionItemKind.Keyword
    items = await complete(client, recipe, text, position(text, "\nra", 1))
    names = {i.label: i for i in items}
    for name in ["encoder", "llm", "embed", "forward", "opt", "run", "hidden", "double"]:
        assert name in names, f"'{name}' is in scope at the end"
    assert names["embed"].kind == types.CompletionItemKind.Constant
    assert names["forward"].kind == types.CompletionItemKind.Function
    assert "frozen" in names and names["frozen"].kind == types.CompletionItemKind.Keyword
    assert "mixed" not in names and "tokens" not in names, "a function's locals are not in scope outside it"
    await edit(client, recipe, 3, RECIPE, position(text, "\nra"), position(text, "\nra", 3), "")


async def test_completion_sees_locals_of_the_enclosing_function(client, recipe):
    pos = position(RECIPE, "return mixed", 7)
    labels = {i.label for i in await complete(client, recipe, RECIPE, pos)}
    assert {"mixed", "tokens"} <= labels
    # Before its declaration a top-level name is not offered; a loop's variable only inside the loop.
    labels = {i.label for i in await complete(client, recipe, RECIPE, position(RECIPE, "dim virtual", 4))}
    assert "embed" in labels and "llm" not in labels and "step" not in labels
    labels = {i.label for i in await complete(client, recipe, RECIPE, position(RECIPE, "opt.step(", 0))}
    assert "step" in labels


async def test_completion_of_members_after_a_dot(client, recipe):
    items = await complete(client, recipe, RECIPE, position(RECIPE, "opt.step", 4))
    labels = {i.label: i for i in items}
    assert {"step", "lr", "kind"} <= set(labels)
    assert labels["step"].kind == types.CompletionItemKind.Method
    items = await complete(client, recipe, RECIPE, position(RECIPE, "run.final_loss", 4))
    assert {"final_loss", "loss", "best_eval"} <= {i.label for i in items}
    items = await complete(client, recipe, RECIPE, position(RECIPE, "batch.x @", 6))
    assert {"x", "y"} <= {i.label for i in items}, "batch has the dataset's columns"


async def test_completion_of_named_arguments_inside_a_call(client, recipe):
    items = await complete(client, recipe, RECIPE, position(RECIPE, "lr: 0.1", 0))
    assert items[0].label.endswith(":"), "named arguments come first"
    labels = [i.label for i in items]
    assert "lr:" in labels and "weight_decay:" in labels
    lr = next(i for i in items if i.label == "lr:")
    # Inserted with a space; the range is the item's or (Neovim takes it) the list's default.
    assert (lr.text_edit.new_text if lr.text_edit else lr.insert_text) == "lr: "
    # train's options, where a line of its block starts
    labels = {i.label for i in await complete(client, recipe, RECIPE, position(RECIPE, "  epochs: 1", 2))}
    assert {"loss:", "optimizer:", "epochs:", "batch:"} <= labels


async def test_resolve_adds_the_help_of_a_builtin(client, recipe):
    items = await complete(client, recipe, RECIPE, position(RECIPE, "mse(forward", 3))
    mse = next(i for i in items if i.label == "mse")
    resolved = await client.completion_item_resolve_async(mse)
    doc = resolved.documentation
    value = doc.value if isinstance(doc, types.MarkupContent) else doc
    assert "mean squared error" in value


def repl_help(topic: str) -> str:
    r = subprocess.run([BINARY, "repl", "--quiet"], input=f":help {topic}\n", capture_output=True, text=True, timeout=60)
    return r.stdout.strip()


async def hover_text(client, uri, pos) -> str | None:
    r = await client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=pos))
    if r is None:
        return None
    return r.contents.value if isinstance(r.contents, types.MarkupContent) else str(r.contents)


async def test_hover_shows_type_and_shape_with_dim_names(client, recipe):
    text = await hover_text(client, recipe, position(RECIPE, "adam([encoder]", 7))
    assert "param encoder: tensor [virtual, embed] float32" in text
    assert "[virtual, embed] = [2, 4]" in text
    text = await hover_text(client, recipe, position(RECIPE, "dim embed", 5))
    assert "dim embed = 4" in text
    text = await hover_text(client, recipe, position(RECIPE, "double(hidden)", 9))
    assert "dim hidden = 8" in text and "lib.pt" in text, "declared in the imported file"


async def test_hover_shows_the_help_catalogue(client, recipe):
    # The same text as the REPL's :help, for a builtin, a method and a statement keyword.
    text = await hover_text(client, recipe, position(RECIPE, "mse(forward", 1))
    for line in repl_help("mse").splitlines():
        assert line in text
    text = await hover_text(client, recipe, position(RECIPE, "opt.step", 5))
    assert "step" in text and "optimizer" in text
    text = await hover_text(client, recipe, position(RECIPE, "let run = train", 11))
    for line in repl_help("train").splitlines():
        assert line in text
    assert await hover_text(client, recipe, position(RECIPE, "seed 0", 5)) is None, "a number has no hover"


async def test_definition_in_the_document_and_in_an_imported_file(client, folder, recipe):
    async def definition(pos):
        r = await client.text_document_definition_async(types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=recipe), position=pos))
        return r if isinstance(r, types.Location) or r is None else r[0]
    loc = await definition(position(RECIPE, "forward(encoder)", 2))
    assert loc.uri == recipe and loc.range.start == position(RECIPE, "forward(tokens)")
    loc = await definition(position(RECIPE, "return mixed", 8))
    assert loc.range.start == position(RECIPE, "mixed =")
    loc = await definition(position(RECIPE, "double(hidden)", 1))
    assert loc.uri == (folder / "lib.pt").as_uri()
    assert loc.range.start == position(LIB, "double(x)")
    loc = await definition(position(RECIPE, 'import "lib.pt"', 9))
    assert loc.uri == (folder / "lib.pt").as_uri()
    assert await definition(position(RECIPE, "randn(virtual", 1)) is None, "a builtin has no source"


async def test_document_symbols_nest_a_functions_locals(client, recipe):
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=recipe)))
    by_name = {s.name: s for s in symbols}
    assert list(by_name) == ["embed", "virtual", "encoder", "llm", "note", "forward", "opt", "d", "run"]
    assert by_name["embed"].kind == types.SymbolKind.Constant
    assert by_name["forward"].kind == types.SymbolKind.Function
    assert [c.name for c in by_name["forward"].children] == ["mixed"]
    assert by_name["d"].kind == types.SymbolKind.Struct
    assert "tensor [virtual, embed]" in by_name["encoder"].detail
    assert by_name["forward"].selection_range.start == position(RECIPE, "forward(tokens)")


async def test_incremental_changes_update_diagnostics_in_the_agreed_encoding(client, folder):
    text = 'let s = "😀😀"\nlet y = undefined_name\n'
    path = folder / "typing.pt"
    uri = path.as_uri()
    diagnostics = await open_document(client, path, text)
    assert [d.message for d in diagnostics] == ["cannot find 'undefined_name' in scope"]
    assert diagnostics[0].range.start == types.Position(line=1, character=8)
    # Insert after the string (each emoji is 2 UTF-16 units, 4 UTF-8 bytes): an error on the first line too.
    after = units('let s = "😀😀"')
    client.diagnostics.pop(uri, None)
    await edit(client, uri, 2, None, types.Position(line=0, character=after), types.Position(line=0, character=after), " + bad")
    diagnostics = await wait_diagnostics(client, uri)
    assert [d.message for d in diagnostics] == ["cannot find 'bad' in scope", "cannot find 'undefined_name' in scope"]
    assert diagnostics[0].range.start == types.Position(line=0, character=after + 3)
    assert diagnostics[0].range.end == types.Position(line=0, character=after + 6)
    # Fix both: no diagnostics.
    client.diagnostics.pop(uri, None)
    await edit(client, uri, 3, None, types.Position(line=0, character=after), types.Position(line=1, character=22),
               "\nlet y = s")
    assert await wait_diagnostics(client, uri) == []
