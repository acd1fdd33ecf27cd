"""Shared set-up of the editor-integration tests: the ptune binary under test, the corpus of scripts, and what
`ptune check` prints for each of them, parsed into located diagnostics."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("PTUNE_BINARY", "")


def require_binary() -> str:
    if not BINARY or not os.access(BINARY, os.X_OK):
        pytest.skip("PTUNE_BINARY is not set to the ptune binary (the Swift test EditorIntegrationTests sets it)")
    return BINARY


def corpus() -> list[pathlib.Path]:
    """Every example, every script of the bad-input corpus and every golden program."""
    files = sorted((ROOT / "examples").glob("*.pt"))
    files += sorted((ROOT / "Tests/ptuneTests/BadInput").glob("*.pt"))
    files += sorted((ROOT / "Tests/PTuneLangTests/Golden").rglob("*.pt"))
    return files


def corpus_id(path: pathlib.Path) -> str:
    return str(path.relative_to(ROOT))


def editor_text(path: pathlib.Path) -> tuple[str, bool]:
    """The text an editor holds for the file (invalid UTF-8 replaced, as an editor decodes it; the protocol carries
    only Unicode), and whether the bytes were valid UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), False


HEADLINE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning|note): (?P<message>.*)$")
PLAIN = re.compile(r"^(?P<severity>error|warning): (?P<message>.*)$")
CARET = re.compile(r"^[\t ]*\^~*$")


def parse_check_output(stderr: str) -> list[dict]:
    """The diagnostics `ptune check` printed: each headline (`file:line:col: error: message`, or `error: message`
    with no place) with the caret's width under its source line, and its notes."""
    lines = stderr.split("\n")
    out: list[dict] = []
    i = 0
    while i < len(lines):
        m = HEADLINE.match(lines[i])
        if m:
            d = {
                "file": m["file"], "line": int(m["line"]), "col": int(m["col"]),
                "severity": m["severity"], "message": m["message"], "notes": [], "width": None, "source": None,
            }
            if i + 2 < len(lines) and CARET.match(lines[i + 2]):
                d["source"] = lines[i + 1]
                d["width"] = lines[i + 2].count("^") + lines[i + 2].count("~")
                i += 3
            else:
                i += 1
            if d["severity"] == "note" and out:
                out[-1]["notes"].append(d)
            else:
                out.append(d)
            continue
        m = PLAIN.match(lines[i])
        if m:
            out.append({"file": None, "line": None, "col": None, "severity": m["severity"], "message": m["message"],
                        "notes": [], "width": None, "source": None})
        i += 1
    return out


def ptune_check(path: pathlib.Path, cwd: pathlib.Path = ROOT) -> tuple[int, list[dict]]:
    """Runs `ptune check` on the file (given relative to `cwd`, as a person would from the project's folder)."""
    arg = os.path.relpath(path, cwd)
    r = subprocess.run([require_binary(), "check", "--no-color", arg], cwd=cwd, capture_output=True, timeout=120)
    return r.returncode, parse_check_output(r.stderr.decode("utf-8", errors="replace"))


def server_command(*args: str) -> list[str]:
    return [BINARY or "ptune", "lsp", *args]


def utf16_column(text: str, characters: int) -> int:
    """The UTF-16 offset of the first `characters` code points of a line (what an LSP position counts)."""
    return len(text[:characters].encode("utf-16-le")) // 2


def line_of(text: str, line: int) -> str:
    """0-based line `line` of `text` (lines end at '\\n', as ptune counts them)."""
    lines = text.split("\n")
    return lines[line] if 0 <= line < len(lines) else ""


def characters(text: str, utf16: int) -> int:
    """How many code points the first `utf16` UTF-16 units of `text` hold."""
    units = 0
    for i, c in enumerate(text):
        if units >= utf16:
            return i
        units += 2 if ord(c) > 0xFFFF else 1
    return len(text)


# Figures the suite reports at the end (how many files and diagnostics were compared).
STATS: dict[str, int] = {}


def count(key: str, n: int = 1) -> None:
    STATS[key] = STATS.get(key, 0) + n


def pytest_terminal_summary(terminalreporter):
    if STATS:
        terminalreporter.write_line("figures: " + ", ".join(f"{k} {v}" for k, v in sorted(STATS.items())))
