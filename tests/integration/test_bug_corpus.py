"""Pins the plugin's verdicts on the shared bug corpus (../shared/bug-corpus, beside the repo).

mypy runs once with the plugin over the class A to L bug files and every control:
- each line marked ``# BUG[C]`` (a context-manager factory passed to ``Depends``) gets an
  error with code ``[resource-depends-context-manager]``;
- class D is the same bug written with ``Annotated``: the error is on the ``# BUG[D:alias]``
  line when the file defines an alias (reported once, where it is fixed, and not again on
  the ``# BUG[D]`` parameter that uses it), else on the ``# BUG[D]`` line;
- ``# BUG[J]`` (``Depends(get_db())``, the call instead of the function) gets
  ``[resource-depends-called]``; ``# BUG[L]`` (a context-manager factory in ``dependencies=[...]``
  of a route, router or app) gets ``[resource-depends-context-manager]``;
- each line marked ``# BUG[K]`` (dependency and parameter types disagree) gets mypy's
  ``[assignment]`` error, which fires because the plugin gives ``Depends(f)`` the type
  FastAPI injects, or for ``Annotated`` the plugin's ``[resource-depends-type]``;
- each line marked ``# BUG[A]``, ``# BUG[B]``, ``# BUG[E]``, ``# BUG[I]`` (and ``# BUG[F:A]``,
  ``# BUG[F:B]``: A and B with unannotated factories) gets the resource-protocol error of its
  class, followed on the same line by its fix note;
- ``# BUG[G]`` (``return``/``break`` inside ``async for`` over a generator that holds a session
  across its ``yield``) gets ``[resource-early-exit]``; ``# BUG[H]`` (a session used after its
  ``async with`` block) gets ``[resource-use-after-block]``, except in a file with a
  ``# BUG[H:escape]`` line (the session returned from inside its block), which gets
  ``[resource-escapes-block]`` there instead of errors where the caller uses it; each with its note;
- no control (``ok_*.py``) gets any error with a ``resource-`` code.
The run uses ``check_untyped_defs``: f2 and f4 misuse the factory inside an unannotated
function, where mypy runs no plugin hook at all without it (docs/error_codes.md).
mypy's own unrelated errors are allowed in bug files. The markers are matched exactly, so
``# BUG[C:use]`` does not count as ``# BUG[C]``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import mypy.api
import pytest

CORPUS = (Path(__file__).resolve().parents[3] / "shared" / "bug-corpus").resolve()
MISSING = f"bug corpus not found at {CORPUS}: these tests need the shared/ folder checked out beside the repo"
#: bug class -> the codes one of which is expected on its `# BUG[X]` lines.
EXPECTED_CODES = {
    "A": {"resource-with-generator"},
    "B": {"resource-for-context-manager"},
    "C": {"resource-depends-context-manager"},
    "D": {"resource-depends-context-manager"},
    "E": {"resource-never-entered"},
    "F:A": {"resource-with-generator"},
    "F:B": {"resource-for-context-manager"},
    "G": {"resource-early-exit"},
    "H": {"resource-use-after-block"},
    "H:escape": {"resource-escapes-block"},
    "I": {"resource-with-mismatch"},
    "J": {"resource-depends-called"},
    "K": {"assignment", "resource-depends-type"},
    "L": {"resource-depends-context-manager"},
}
#: The fix note each protocol class's error must carry (its first words).
FIX_NOTES = {
    "resource-with-generator": ("Iterate it instead: ",),
    "resource-for-context-manager": ("Enter it instead: ",),
    "resource-with-mismatch": ('Use "',),
    "resource-never-entered": ("Enter it first: ", "Iterate it first: "),
    "resource-early-exit": ("Close it on the way out: ", "Keep the generator to close it: "),
    "resource-use-after-block": ("Move this use into the ",),
    "resource-escapes-block": ("Make the function an ",),
}
#: A session returned out of its block (H:escape) is reported there, where the fix goes, and not
#: where the caller later uses it (H).
REPORTED_INSTEAD = {"H:escape": "H"}
#: Files that need newer syntax than some mypy/Python pairs can parse.
NEEDS_PEP695 = {"d3_pep695_alias.py", "ok_d3_pep695_alias.py"}

_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+): (?P<severity>error|note): (?P<message>.*?)(?:  \[(?P<code>[\w-]+)\])?$"
)


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int
    message: str
    code: str | None
    severity: str = "error"


@dataclass(frozen=True)
class CorpusRun:
    errors: list[Diagnostic]
    checked: frozenset[str]
    pep695_reason: str | None  # why the PEP 695 controls were left out, if they were

    def errors_in(self, name: str) -> list[Diagnostic]:
        assert name in self.checked, f"{name} was not part of the mypy run"
        return [error for error in self.errors if error.file == name]


def corpus_files(pattern: str) -> list[str]:
    """Names of corpus files matching ``pattern``; a placeholder if none, so tests fail, not vanish."""
    names = sorted(path.name for path in CORPUS.glob(pattern))
    return names or [f"<no {pattern} in corpus>"]


BUG_FILES = corpus_files("[abcdefghijkl]*.py")
CONTROLS = corpus_files("ok_*.py")


def marked_lines(path: Path, bug_class: str) -> list[int]:
    marker = f"# BUG[{bug_class}]"
    return [number for number, text in enumerate(path.read_text().splitlines(), 1) if marker in text]


def parse(output: str) -> list[Diagnostic]:
    errors = []
    for text in output.splitlines():
        match = _LINE.match(text)
        if match:
            file = Path(match["path"]).resolve()
            name = file.name if file.parent == CORPUS else str(file)
            diagnostic = Diagnostic(name, int(match["line"]), match["message"], match["code"], match["severity"])
            errors.append(diagnostic)
    return errors


def pep695_unparsable_reason(config: Path, cache: Path) -> str | None:
    """Why ``type X = ...`` cannot be checked here, or None if it can (Python 3.12+ or mypy 2.x's parser)."""
    if sys.version_info >= (3, 12):
        return None
    probe = ["--config-file", str(config), "--cache-dir", str(cache), "--python-version", "3.12"]
    stdout, stderr, status = mypy.api.run([*probe, "-c", "type Alias = int"])
    if status == 0:
        return None
    assert "[syntax]" in stdout, f"PEP 695 probe failed for another reason:\n{stdout}{stderr}"
    return f"this mypy cannot parse PEP 695 syntax on Python {sys.version_info[0]}.{sys.version_info[1]}"


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    assert CORPUS.is_dir(), MISSING
    tmp = tmp_path_factory.mktemp("bug-corpus")
    config = tmp / "mypy.ini"
    config.write_text(f"[mypy]\nplugins = mypy_plugin\nmypy_path = {CORPUS}\ncheck_untyped_defs = true\n")
    cache = tmp / "cache"
    reason = pep695_unparsable_reason(config, cache)
    files = [name for name in (*BUG_FILES, *CONTROLS) if reason is None or name not in NEEDS_PEP695]
    options = ["--config-file", str(config), "--cache-dir", str(cache), "--show-absolute-path"]
    if sys.version_info < (3, 12) and reason is None:
        options += ["--python-version", "3.12"]  # the PEP 695 control needs it as the target

    stdout, stderr, status = mypy.api.run([*options, *(str(CORPUS / name) for name in files)])

    assert "INTERNAL ERROR" not in stdout + stderr, stdout + stderr
    assert status == 1, f"mypy exited {status}:\n{stdout}{stderr}"
    return CorpusRun(parse(stdout), frozenset(files), reason)


def test_corpus_is_present() -> None:
    assert CORPUS.is_dir(), MISSING
    assert (CORPUS / "shared_deps").is_dir(), f"{CORPUS}/shared_deps is missing"


@pytest.mark.parametrize("name", BUG_FILES)
def test_bug_line_is_reported(corpus_run: CorpusRun, name: str) -> None:
    path = CORPUS / name
    assert path.is_file(), MISSING
    if name in NEEDS_PEP695 and corpus_run.pep695_reason is not None:
        pytest.skip(corpus_run.pep695_reason)
    letter = name[0].upper()
    marked = {bug_class: marked_lines(path, bug_class) for bug_class in EXPECTED_CODES if bug_class[0] == letter}
    aliases = marked_lines(path, f"{letter}:alias")
    if aliases:
        marked[letter] = aliases  # an alias is reported where it is defined
    for source, replaced in REPORTED_INSTEAD.items():
        if marked.get(source):
            marked.pop(replaced, None)
    marked = {bug_class: lines for bug_class, lines in marked.items() if lines}
    assert marked, f"{name} has no # BUG[{letter}...] line"
    diagnostics = corpus_run.errors_in(name)

    for bug_class, lines in marked.items():
        expected = EXPECTED_CODES[bug_class]
        for line in lines:
            codes = {d.code for d in diagnostics if d.line == line and d.severity == "error"}
            assert expected & codes, f"{name}:{line}: expected an error {sorted(expected)}, got {codes or 'none'}"
            for code in expected & codes & FIX_NOTES.keys():
                notes = [d.message for d in diagnostics if d.line == line and d.severity == "note"]
                assert any(note.startswith(FIX_NOTES[code]) for note in notes), (
                    f"{name}:{line}: no fix note for [{code}], notes: {notes}"
                )
    if aliases:
        plugin_lines = {d.line for d in diagnostics if d.severity == "error" and (d.code or "").startswith("resource-")}
        uses = plugin_lines - set(aliases)
        assert not uses, f"{name}: the alias is reported again where it is used, on lines {sorted(uses)}"


@pytest.mark.parametrize("name", CONTROLS)
def test_control_has_no_plugin_error(corpus_run: CorpusRun, name: str) -> None:
    assert (CORPUS / name).is_file(), MISSING
    if name in NEEDS_PEP695 and corpus_run.pep695_reason is not None:
        pytest.skip(corpus_run.pep695_reason)

    plugin_errors = [
        f"{error.line}: {error.message}  [{error.code}]"
        for error in corpus_run.errors_in(name)
        if error.severity == "error" and error.code is not None and error.code.startswith("resource-")
    ]

    assert plugin_errors == []


def test_no_plugin_error_outside_the_checked_files(corpus_run: CorpusRun) -> None:
    """Imported helpers (shared_deps) are checked too; the plugin must not flag them either."""
    stray = [
        error
        for error in corpus_run.errors
        if error.file not in corpus_run.checked
        and error.severity == "error"
        and (error.code or "").startswith("resource-")
    ]

    assert stray == []
