"""The course in other languages, from the one English source, through gettext catalogues.

    python tools/translations.py update [LANG]          # extract and merge every notebook's catalogue
    python tools/translations.py check [LANG] [PO...]   # what is untranslated, fuzzy, stale or broken
    python tools/translations.py edition LANG OUT       # the notebooks in LANG, written into OUT
    python tools/translations.py dump PO > FILE.json    # a catalogue's messages as {context: English}
    python tools/translations.py fill PO FILE.json      # set translations from {context: translation}
    python tools/translations.py dump-package lesson01.py ... > FILE.json   # the package's messages, by file
    python tools/translations.py check-package-json FILE.json               # fields, numbers and terms kept
    python tools/translations.py fill-package FILE.json                     # into course_utils.po

Code lives only in the English notebooks (``notebooks/``). Each markdown cell of a lesson or deep dive is one
message of ``locale/<LANG>/LC_MESSAGES/<notebook>.po`` (deep dives: ``.../deeper/<notebook>.po``): its
context (``msgctxt``) is the cell's id, its ``msgid`` the English text. ``update`` adds a message for a new
cell, drops the message of a deleted one, and turns the translation of a changed cell *fuzzy* (keeping the
English it was made from in a comment beside it), so a translator sees what changed. An edition is the English
notebook with the text of each markdown cell replaced by its translation: code cells, ids, metadata and
outputs are the English notebook's, byte for byte. A message that is missing or fuzzy stays English there;
``check`` (and the tests) fail on both.

``check`` also compares each translation with its English: the same anchors (``<a id=...>``), link targets,
inline code, math, fenced code and headings, and, for each term of ``locale/<LANG>/terms.csv`` the English
uses, the translation that list gives.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import nbformat
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "notebooks"
LOCALE = ROOT / "locale"
LANGUAGES = ("zh_CN",)
PROJECT = "nn-from-zero"
EPOCH = datetime(2026, 12, 7, tzinfo=UTC)   # a fixed header date: catalogues change only with text


def notebooks(source: Path = SOURCE) -> Iterator[Path]:
    """Every notebook of the course, lessons first, then the deep dives."""
    yield from sorted(source.glob("*.ipynb"))
    yield from sorted(source.glob("deeper/*.ipynb"))


def catalogue_path(notebook: Path, lang: str, source: Path = SOURCE) -> Path:
    """``notebooks/deeper/01_seeds.ipynb`` -> ``locale/<lang>/LC_MESSAGES/deeper/01_seeds.po``."""
    return LOCALE / lang / "LC_MESSAGES" / notebook.relative_to(source).with_suffix(".po")


def read_catalogue(path: Path, lang: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=lang, project=PROJECT, creation_date=EPOCH, revision_date=EPOCH, fuzzy=False)
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def _by_context(catalog: Catalog) -> dict[str, Message]:
    return {m.context: m for m in catalog if m.id and m.context}


PREVIOUS = "the English this translation was made from:"   # a fuzzy message's comment (Babel's #| msgid
                                                            # does not read back a multi-line text)


def _previous(message: Message) -> list[str]:
    comments = list(message.auto_comments)
    return comments[comments.index(PREVIOUS) + 1:] if PREVIOUS in comments else []


def merged(nb: nbformat.NotebookNode, old: Catalog, lang: str) -> Catalog:
    """The catalogue of ``nb``'s markdown cells, in cell order, carrying over what ``old`` has translated.

    Same id, same text: kept. Same id, new text: the old translation, fuzzy, with the English it was made
    from in a comment beside it. New id whose text an old message had (a cell moved or re-made): that
    translation, not fuzzy.
    """
    by_context = _by_context(old)
    by_text = {m.id: m for m in old if m.id and m.string and not m.fuzzy}
    new = Catalog(locale=lang, project=PROJECT, creation_date=old.creation_date, revision_date=EPOCH, fuzzy=False)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or not cell.source.strip():
            continue
        before = by_context.get(cell.id)
        string, flags, previous = "", set(), []
        if before is not None and before.id == cell.source:
            string, flags, previous = before.string, set(before.flags), _previous(before)
        elif before is not None and before.string:
            string, flags = before.string, {"fuzzy"}
            previous = _previous(before) if before.fuzzy else before.id.splitlines()
        elif cell.source in by_text:
            string = by_text[cell.source].string
        comments = [f"markdown cell {index}", *([PREVIOUS, *previous] if "fuzzy" in flags else [])]
        new.add(cell.source, string, context=cell.id, flags=flags, auto_comments=comments)
    return new


def _po_text(catalog: Catalog, sort: bool = False) -> bytes:
    """A catalogue as every .po file here is written (locations without line numbers: they move with edits)."""
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, include_lineno=False, sort_output=sort)
    return buf.getvalue()


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` unless ``path`` holds it already (a rebuild then skips it); whether it wrote."""
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def update(lang: str, source: Path = SOURCE) -> list[str]:
    """Extract and merge every notebook's catalogue; one line per catalogue written, with its counts."""
    report = []
    for path in notebooks(source):
        po = catalogue_path(path, lang, source)
        text = _po_text(merged(nbformat.read(path, as_version=4), read_catalogue(po, lang), lang))
        if write_if_changed(po, text):
            report.append(f"{po.relative_to(ROOT)}: {summary(read_catalogue(po, lang))}")
    return report


def counts(catalog: Catalog) -> Counter:
    c = Counter()
    for m in catalog:
        if m.id:
            c["fuzzy" if m.fuzzy else "translated" if m.string else "untranslated"] += 1
    return c


def summary(catalog: Catalog) -> str:
    c = counts(catalog)
    return f"{c['translated']} translated, {c['fuzzy']} fuzzy, {c['untranslated']} untranslated"


def translated(nb: nbformat.NotebookNode, catalog: Catalog) -> nbformat.NotebookNode:
    """``nb`` with each markdown cell's text replaced by its translation (missing or fuzzy: left English)."""
    out = copy.deepcopy(nb)
    by_context = _by_context(catalog)
    for cell in out.cells:
        m = by_context.get(cell.id) if cell.cell_type == "markdown" else None
        if m is not None and m.string and not m.fuzzy and m.id == cell.source:
            cell.source = m.string
    return out


def notebook_in(path: Path, lang: str, source: Path = SOURCE) -> nbformat.NotebookNode:
    """The notebook at ``path`` in ``lang`` (``"en"``: as it is): its markdown from its catalogue."""
    nb = nbformat.read(path, as_version=4)
    return nb if lang == "en" else translated(nb, read_catalogue(catalogue_path(path, lang, source), lang))


def edition(lang: str, out: Path, source: Path = SOURCE) -> list[Path]:
    """Write every notebook in ``lang`` into ``out`` (the layout of ``notebooks/``; unchanged files are left
    alone, so a website rebuild re-reads only what changed); returns the paths."""
    written = []
    for path in notebooks(source):
        target = out / path.relative_to(source)
        write_if_changed(target, (nbformat.writes(notebook_in(path, lang, source)) + "\n").encode())
        written.append(target)
    for extra in source.glob("deeper/*"):   # pictures or data a deep dive links to
        if extra.suffix != ".ipynb" and extra.is_file():
            write_if_changed(out / "deeper" / extra.name, extra.read_bytes())
    return written


# --- what a translation must keep of its English -----------------------------------------------------------------

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.S | re.M)
KEPT = {
    "anchors": re.compile(r"<a\s+id=[\"'][^\"']+[\"']\s*>"),
    "link targets": re.compile(r"\]\(([^)\s]+)"),
    "inline code": re.compile(r"(?<![`}])`([^`\n]+)`(?!`)"),
    "roles": re.compile(r"\{\w+\}`[^`<]*<([^>`]+)>`"),     # {ref}`text <target>`: the target is kept
    "math": re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S),
    "headings": re.compile(r"^(#{1,6}) ", re.M),
    "HTML links": re.compile(r"<a\s+href=[^>]+>"),
    "HTML tags": re.compile(r"</?(?:details|summary|img|br|table|tr|td|th|sup|sub)\b[^>]*>"),
}

NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:[.,]\d+)*(?:e-?\d+)?")


def terms(lang: str) -> list[tuple[str, str]]:
    """The term list: (English, translation), as ``locale/<lang>/terms.csv`` gives it."""
    path = LOCALE / lang / "terms.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return [(row["english"], row["translation"]) for row in csv.DictReader(f)]


def _uses(text: str, term: str) -> bool:
    """Whether ``text`` uses ``term`` as a word (plurals and -ed forms too; "TensorFlow" is not "tensor")."""
    return re.search(rf"\b{re.escape(term)}(?:s|es|ed|d)?\b", text, re.I) is not None


def _prose_words(text: str) -> str:
    """The words of a message a reader reads: no code, math, link targets or HTML tags."""
    for name in ("roles", "inline code", "math", "link targets", "anchors", "HTML links", "HTML tags"):
        text = KEPT[name].sub(" ", text)
    return text


def problems(message: Message, term_list: list[tuple[str, str]] = ()) -> list[str]:
    """What a translated message lost or changed of its English; empty when it keeps everything."""
    english, string = message.id, message.string
    if not string or message.fuzzy:
        return []
    found = []
    if [m.group(0) for m in FENCE.finditer(english)] != [m.group(0) for m in FENCE.finditer(string)]:
        found.append("fenced code differs from the English (code is never translated)")
    english_prose, string_prose = FENCE.sub("", english), FENCE.sub("", string)
    for name, pattern in KEPT.items():
        a, b = Counter(pattern.findall(english_prose)), Counter(pattern.findall(string_prose))
        if a != b:
            lost, added = sorted((a - b).elements()), sorted((b - a).elements())
            found.append(f"{name} differ: missing {lost[:3]}, extra {added[:3]}")
    english_words = _prose_words(english_prose)
    a, b = Counter(NUMBER.findall(english_words)), Counter(NUMBER.findall(_prose_words(string_prose)))
    if a != b:
        found.append(f"numbers differ (write each as the English does): missing {sorted((a - b).elements())[:4]}, "
                     f"extra {sorted((b - a).elements())[:4]}")
    for term, translation in term_list:
        if _uses(english_words, term) and translation not in string_prose:
            found.append(f"'{term}' is translated {translation} in the term list")
    return found


def check(lang: str, paths: list[Path] | None = None, source: Path = SOURCE) -> list[str]:
    """Every complaint about the catalogues (all of them, or ``paths``); empty when all is well."""
    term_list = terms(lang)
    complaints = []
    for nb_path in notebooks(source):
        po = catalogue_path(nb_path, lang, source)
        if paths and po.resolve() not in {p.resolve() for p in paths}:
            continue
        name = po.relative_to(ROOT)
        if not po.exists():
            complaints.append(f"{name}: missing (run make translations)")
            continue
        catalog = read_catalogue(po, lang)
        if _po_text(merged(nbformat.read(nb_path, as_version=4), catalog, lang)) != _po_text(catalog):
            complaints.append(f"{name}: out of date with {nb_path.relative_to(ROOT)} (run make translations)")
        c = counts(catalog)
        if c["fuzzy"] or c["untranslated"]:
            complaints.append(f"{name}: {summary(catalog)}")
        for m in catalog:
            if m.id:
                complaints += [f"{name} [{m.context}]: {p}" for p in problems(m, term_list)]
    return complaints


# --- the package's messages: course_utils/locale/<lang>/LC_MESSAGES/course_utils.po -----------------------------

PACKAGE = ROOT / "course_utils"
# What Babel extracts: gettext's names (_, N_, ...) and the verdicts, whose first argument is a message.
KEYWORDS = {**DEFAULT_KEYWORDS, "wrong": None, "right": None, "unanswered": None}
FIELD = re.compile(r"(?<!\{)\{([A-Za-z_]\w*)(?:![rsa])?(?::[^{}]*)?\}")


def package_catalogue_path(lang: str) -> Path:
    return PACKAGE / "locale" / lang / "LC_MESSAGES" / "course_utils.po"


def package_sources() -> list[Path]:
    """The files whose messages a learner reads: the package, the website's notes, the editions' texts."""
    return [*sorted(PACKAGE.rglob("*.py")), *sorted((ROOT / "site" / "_ext").glob("*.py")),
            ROOT / "tools" / "editions.py"]


def package_template() -> Catalog:
    """Every message the package marks, as Babel extracts it from :func:`package_sources`."""
    template = Catalog(project=PROJECT, creation_date=EPOCH, revision_date=EPOCH, fuzzy=False)
    for path in package_sources():
        for lineno, message, comments, context in extract_from_file(
                "python", str(path), keywords=KEYWORDS, strip_comment_tags=True):
            if isinstance(message, str) and message:
                template.add(message, None, [(path.relative_to(ROOT).as_posix(), lineno)], auto_comments=comments,
                             context=context)
    return template


def update_package(lang: str) -> str:
    """Merge the package's messages into its catalogue (a changed message turns fuzzy); returns a summary."""
    po = package_catalogue_path(lang)
    catalog = read_catalogue(po, lang)
    catalog.update(package_template(), no_fuzzy_matching=False)
    catalog.obsolete.clear()
    write_if_changed(po, _po_text(catalog, sort=True))
    return f"{po.relative_to(ROOT)}: {summary(catalog)}"


def package_problems(message: Message) -> list[str]:
    """What a translated package message changed of its English: the ``{fields}`` and the numbers."""
    if not message.string or message.fuzzy:
        return []
    found = []
    if Counter(FIELD.findall(message.id)) != Counter(FIELD.findall(message.string)):
        found.append(f"the fields differ: {sorted(set(FIELD.findall(message.id)))} in the English")
    a = Counter(NUMBER.findall(FIELD.sub(" ", message.id)))
    b = Counter(NUMBER.findall(FIELD.sub(" ", message.string)))
    if a != b:
        found.append(f"numbers differ: missing {sorted((a - b).elements())[:4]}, "
                     f"extra {sorted((b - a).elements())[:4]}")
    return found


def _existing(po: Path, lang: str) -> tuple[str, Catalog | None, list[str]]:
    """A catalogue to check: its name, the catalogue (None when missing) and the complaints so far."""
    name = str(po.relative_to(ROOT))
    if not po.exists():
        return name, None, [f"{name}: missing (run make translations)"]
    return name, read_catalogue(po, lang), []


def check_package(lang: str) -> list[str]:
    """Every package message that is not translated, fuzzy, or whose translation breaks its fields."""
    name, catalog, complaints = _existing(package_catalogue_path(lang), lang)
    if catalog is None:
        return complaints
    for m in package_template():
        if not m.id:
            continue
        ours = catalog.get(m.id, m.context)
        if ours is None or not ours.string:
            complaints.append(f"{name}: no translation of {m.id[:70]!r} ({m.locations[0][0]})")
        elif ours.fuzzy:
            complaints.append(f"{name}: fuzzy translation of {m.id[:70]!r}")
        else:
            complaints += [f"{name} [{m.id[:50]!r}]: {p}" for p in package_problems(ours)]
    return complaints


# --- the website's own pages (index, glossary, reference): locale/<lang>/LC_MESSAGES/site.po ------------------

SITE = ROOT / "site"


def site_template() -> Catalog:
    """The messages of the website's Markdown pages, as Sphinx's gettext builder extracts them.

    The lessons are left out (their catalogues are the notebooks'): Sphinx's gettext cannot read notebooks
    under MyST-NB (MyST-NB#587), and the Chinese website is built from the Chinese notebooks instead.
    """
    import tempfile

    from sphinx.cmd.build import build_main

    with tempfile.TemporaryDirectory() as out:
        status = build_main(["-b", "gettext", "-Q", "-D", "gettext_compact=site", "-D",
                             "exclude_patterns=lessons/**,generated/**,_build", str(SITE), out])
        if status:
            raise SystemExit("Sphinx's gettext builder failed on site/: run it with -v to see why")
        with open(Path(out) / "site.pot", "rb") as f:
            template = read_po(f)
    for m in list(template):
        if m.id and any("<autosummary>" in str(p) for p, _line in m.locations):
            del template[m.id]   # the reference's table of module names: code, and Sphinx versions write it apart
            continue
        # where a message is: the page, not the line (lines move with every edit)
        m.locations = sorted({(Path(p).name.split(":")[0], None) for p, _line in m.locations})
    return template


def site_catalogue_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "site.po"


def _merged_site(lang: str, template: Catalog) -> Catalog:
    catalog = read_catalogue(site_catalogue_path(lang), lang)
    catalog.update(template, no_fuzzy_matching=False)
    catalog.obsolete.clear()
    catalog.revision_date = catalog.creation_date = EPOCH
    return catalog


def update_site(lang: str) -> str:
    po = site_catalogue_path(lang)
    write_if_changed(po, _po_text(_merged_site(lang, site_template())))
    return f"{po.relative_to(ROOT)}: {summary(read_catalogue(po, lang))}"


def check_site(lang: str) -> list[str]:
    """What is untranslated, fuzzy or stale in the website pages' catalogue, or breaks its English."""
    name, catalog, complaints = _existing(site_catalogue_path(lang), lang)
    if catalog is None:
        return complaints
    if _po_text(_merged_site(lang, site_template())) != _po_text(catalog):
        complaints.append(f"{name}: out of date with site/*.md (run make translations)")
    c = counts(catalog)
    if c["fuzzy"] or c["untranslated"]:
        complaints.append(f"{name}: {summary(catalog)}")
    term_list = terms(lang)
    for m in catalog:
        if m.id:
            complaints += [f"{name} [{m.id[:40]!r}]: {p}" for p in problems(m, term_list)]
    return complaints


def dump_package(lang: str, files: list[str]) -> dict[str, str]:
    """The package's messages from these source files (names such as ``lesson01.py``) as ``{English: ""}``."""
    catalog = read_catalogue(package_catalogue_path(lang), lang)
    return {m.id: (catalog.get(m.id).string if catalog.get(m.id) else "") for m in package_template()
            if m.id and Path(m.locations[0][0]).name in files}


def check_package_json(lang: str, translations: dict[str, str]) -> list[str]:
    """Problems of ``{English: translation}`` pairs, as check_package would find them once filled in."""
    term_list, complaints = terms(lang), []
    for english, string in translations.items():
        if not string:
            complaints.append(f"not translated: {english[:70]!r}")
            continue
        message = Message(english, string)
        found = package_problems(message)
        found += [f"'{t}' is translated {zh} in the term list" for t, zh in term_list
                  if _uses(FIELD.sub(" ", english), t) and zh not in string]
        complaints += [f"{english[:60]!r}: {p}" for p in found]
    return complaints


def fill_package(lang: str, translations: dict[str, str]) -> str:
    """Set the package catalogue's translations from ``{English: translation}``; returns a summary."""
    po = package_catalogue_path(lang)
    catalog = read_catalogue(po, lang)
    skipped = []
    for english, string in translations.items():
        message = catalog.get(english)
        if message is None:   # the package no longer says it
            skipped.append(english)
            continue
        message.string = string
        message.flags.discard("fuzzy")
        message.previous_id = []
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, include_lineno=False, sort_output=True)
    po.write_bytes(buf.getvalue())
    return f"{po.relative_to(ROOT)}: {summary(catalog)}"


def dump(po: Path) -> dict[str, str]:
    """A catalogue's messages as ``{context: English}`` (no context: ``{English: English}``), for a translator."""
    return {m.context or m.id: m.id for m in read_catalogue(po, po.relative_to(LOCALE).parts[0]) if m.id}


def fill(po: Path, translations: dict[str, str]) -> str:
    """Set the translation of each context in ``translations`` (clearing its fuzzy flag); returns a summary."""
    lang = po.relative_to(LOCALE).parts[0]
    catalog = read_catalogue(po, lang)
    by_context = {m.context or m.id: m for m in catalog if m.id}
    unknown = sorted(set(translations) - set(by_context))
    if unknown:
        raise SystemExit(f"{po}: no message has the context {unknown[0]!r}: run dump again, the catalogue changed")
    for context, string in translations.items():
        message = by_context[context]
        message.string = string
        message.flags.discard("fuzzy")
        message.previous_id = []
        if PREVIOUS in message.auto_comments:
            message.auto_comments = message.auto_comments[:message.auto_comments.index(PREVIOUS)]
    po.write_bytes(_po_text(catalog))
    return f"{po.relative_to(ROOT)}: {summary(catalog)}"


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    lang = rest[0] if rest and rest[0] in LANGUAGES else LANGUAGES[0]
    if command == "update":
        for line in [*update(lang), update_site(lang), update_package(lang)]:
            print(line)
        return 0
    if command == "check":
        paths = [Path(p) for p in rest if p.endswith(".po")]
        site = not paths or any(p.resolve() == site_catalogue_path(lang) for p in paths)
        package = not paths or any(p.resolve() == package_catalogue_path(lang) for p in paths)
        complaints = ((check(lang, paths) if paths else check(lang)) + (check_site(lang) if site else [])
                      + (check_package(lang) if package else []))
        print("\n".join(complaints) or f"{lang}: every catalogue is complete and keeps its English's structure")
        return 1 if complaints else 0
    if command == "edition" and len(rest) == 2:
        print(f"{len(edition(lang, Path(rest[1])))} notebooks in {lang} written into {rest[1]}")
        return 0
    if command == "dump-package" and rest:
        print(json.dumps(dump_package(lang, [r for r in rest if r.endswith(".py")]), ensure_ascii=False, indent=1))
        return 0
    if command == "check-package-json" and rest:
        complaints = [c for r in rest if r.endswith(".json")
                      for c in check_package_json(lang, json.loads(Path(r).read_text(encoding="utf-8")))]
        print("\n".join(complaints) or "every message is translated and keeps its fields and numbers")
        return 1 if complaints else 0
    if command == "fill-package" and rest:
        for r in rest:
            if r.endswith(".json"):
                print(fill_package(lang, json.loads(Path(r).read_text(encoding="utf-8"))))
        return 0
    if command == "dump" and len(rest) == 1:
        print(json.dumps(dump(Path(rest[0]).resolve()), ensure_ascii=False, indent=1))
        return 0
    if command == "fill" and len(rest) == 2:
        print(fill(Path(rest[0]).resolve(), json.loads(Path(rest[1]).read_text(encoding="utf-8"))))
        return 0
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
