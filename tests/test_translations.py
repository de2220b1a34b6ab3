"""The course in Chinese, from the one English source: drift is caught here.

- every catalogue (each notebook's, the website pages', the package's) is complete, current and keeps
  what its English must keep (anchors, links, code, math, numbers, fields, the term list);
- the Chinese edition of every notebook is the English one with only the markdown text changed;
- a changed English paragraph turns its translation fuzzy, and the check fails on it;
- the package speaks Chinese when asked, and only then;
- the learner's edition and nbgrader's source in Chinese keep the English code.
"""
import ast
import copy
import json
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from babel.messages.catalog import Catalog, Message

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import editions  # noqa: E402
import translations  # noqa: E402

LANG = "zh_CN"
NOTEBOOKS = list(translations.notebooks())
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- the catalogues ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_catalogue_is_complete_current_and_keeps_its_english(path):
    po = translations.catalogue_path(path, LANG)
    assert not translations.check(LANG, [po]), "\n".join(translations.check(LANG, [po]))
    counts = translations.counts(translations.read_catalogue(po, LANG))
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown" and c.source.strip()]
    assert counts["translated"] == len(cells) > 0 and not counts["fuzzy"] and not counts["untranslated"]


def test_the_website_pages_catalogue_is_complete_and_current():
    pytest.importorskip("sphinx", reason="extracting the pages' messages needs the docs extra")
    assert not translations.check_site(LANG), "\n".join(translations.check_site(LANG))


def test_every_package_message_has_its_chinese_entry():
    complaints = translations.check_package(LANG)
    assert not complaints, "\n".join(complaints[:20])
    assert len([m for m in translations.package_template() if m.id]) > 500


def _dummy(spec: str, conversion: str | None):
    if conversion or not spec:
        return "x"
    return 1 if spec[-1:] in "d," or spec.endswith(",") else 0.5


def test_every_package_translation_formats_with_its_fields():
    """Each translated message fills in its values exactly as its English does (no KeyError, no bad spec)."""
    catalog = translations.read_catalogue(translations.package_catalogue_path(LANG), LANG)
    for m in catalog:
        if not m.id or not translations.FIELD.search(m.id):
            continue
        fields = {name: _dummy(spec, conv) for _lit, name, spec, conv in string.Formatter().parse(m.id) if name}
        assert m.id.format(**fields)
        assert m.string.format(**fields), m.id


def test_the_term_list_is_what_the_issue_asks_for():
    terms = dict(translations.terms(LANG))
    for english, chinese in {"loss function": "损失函数", "gradient descent": "梯度下降", "backpropagation": "反向传播",
                             "learning rate": "学习率", "overfitting": "过拟合", "validation set": "验证集",
                             "weight decay": "权重衰减", "dropout": "暂退法"}.items():
        assert terms[english] == chinese


# --- what the check catches (each broken on purpose) ------------------------------------------------------------

ENGLISH = ("## 3. The learning rate\n\n<a id=\"term-lr\"></a>The **learning rate** is 0.5 over 1,000 steps; see "
           "[lesson 02](02_sine.ipynb) and `lr=0.5`, with $w - \\eta g$.")
RIGHT = ("## 3. 学习率\n\n<a id=\"term-lr\"></a>**学习率**在 1,000 步里取 0.5；见[第 02 课](02_sine.ipynb)和 `lr=0.5`，"
         "公式是 $w - \\eta g$。")


@pytest.mark.parametrize("broken, complaint", [
    (RIGHT.replace('<a id="term-lr"></a>', ""), "anchors"),
    (RIGHT.replace("(02_sine.ipynb)", "(02.ipynb)"), "link targets"),
    (RIGHT.replace("`lr=0.5`", "`学习率=0.5`"), "inline code"),
    (RIGHT.replace("$w - \\eta g$", "$w-g$"), "math"),
    (RIGHT.replace("## 3.", "### 3."), "headings"),
    (RIGHT.replace("1,000", "1000"), "numbers"),
    (RIGHT.replace("学习率", "步长"), "'learning rate' is translated 学习率"),
])
def test_the_check_names_what_a_translation_lost(broken, complaint):
    terms = translations.terms(LANG)
    assert translations.problems(Message(ENGLISH, RIGHT), terms) == []
    found = translations.problems(Message(ENGLISH, broken), terms)
    assert any(complaint in p for p in found), found


def test_a_changed_paragraph_turns_fuzzy_a_new_one_is_untranslated_a_deleted_one_goes():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("One.", id="a"),
                                         nbformat.v4.new_markdown_cell("Two.", id="b"),
                                         nbformat.v4.new_markdown_cell("Three.", id="c")])
    old = translations.merged(nb, Catalog(locale=LANG), LANG)
    for m, zh in zip(list(old)[1:], ("一。", "二。", "三。")):
        m.string = zh
    nb.cells[0].source = "One, changed."
    nb.cells[1].id = "b2"                       # a cell re-made with the same text keeps its translation
    del nb.cells[2]
    nb.cells.append(nbformat.v4.new_markdown_cell("Four.", id="d"))
    new = {m.context: m for m in translations.merged(nb, old, LANG) if m.id}
    assert set(new) == {"a", "b2", "d"}
    assert new["a"].fuzzy and new["a"].string == "一。" and translations._previous(new["a"]) == ["One."]
    assert not new["b2"].fuzzy and new["b2"].string == "二。"
    assert new["d"].string == "" and translations.counts(translations.merged(nb, old, LANG))["fuzzy"] == 1
    edition = translations.translated(nb, translations.merged(nb, old, LANG))
    assert [c.source for c in edition.cells] == ["One, changed.", "二。", "Four."]   # fuzzy and missing: English


def test_the_check_fails_on_a_changed_english_paragraph(tmp_path, monkeypatch):
    source = tmp_path / "notebooks"
    source.mkdir()
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    nbformat.write(nb, source / NOTEBOOKS[0].name)
    ours = translations.catalogue_path(NOTEBOOKS[0], LANG).read_bytes()
    monkeypatch.setattr(translations, "LOCALE", tmp_path / "locale")
    po = translations.catalogue_path(source / NOTEBOOKS[0].name, LANG, source)
    po.parent.mkdir(parents=True)
    po.write_bytes(ours)
    monkeypatch.setattr(translations, "ROOT", tmp_path)
    assert translations.check(LANG, source=source) == []
    md = next(c for c in nb.cells if c.cell_type == "markdown")
    md.source += "\n\nA new sentence."
    nbformat.write(nb, source / NOTEBOOKS[0].name)
    assert any("out of date" in c for c in translations.check(LANG, source=source))
    translations.update(LANG, source)
    complaints = translations.check(LANG, source=source)
    assert complaints and "1 fuzzy" in complaints[0], complaints


# --- the Chinese edition -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_chinese_edition_changes_only_the_markdown_text(path):
    """Code cells, outputs, ids, metadata: byte for byte the English notebook's (as nbformat writes them)."""
    english = nbformat.read(path, as_version=4)
    chinese = translations.translated(english, translations.read_catalogue(translations.catalogue_path(path, LANG),
                                                                           LANG))
    assert chinese.metadata == english.metadata and len(chinese.cells) == len(english.cells)
    for en, zh in zip(english.cells, chinese.cells, strict=True):
        if en.cell_type != "markdown":
            assert json.dumps(zh, sort_keys=True) == json.dumps(en, sort_keys=True), en.id
            continue
        assert (zh.id, zh.metadata, zh.get("attachments")) == (en.id, en.metadata, en.get("attachments"))
        assert zh.source != en.source and CJK.search(zh.source), f"{path.name} {en.id} is not in Chinese"
    blank = copy.deepcopy(chinese)
    for zh, en in zip(blank.cells, english.cells):
        zh.source = en.source
    assert nbformat.writes(blank) == nbformat.writes(english)   # the only difference: markdown text


def test_the_chinese_learner_edition_keeps_the_english_learner_editions_code():
    path = NOTEBOOKS[0]
    english = editions.learner_edition(editions.source_notebook(path))
    chinese = editions.learner_edition(editions.source_notebook(path, "zh"), "zh")
    code = lambda nb: [(c.id, c.source, c.get("outputs")) for c in nb.cells if c.cell_type == "code"]  # noqa: E731
    assert code(chinese) == code(english) and code(english)
    reveals = [c.source for c in chinese.cells if c.id.endswith("-solution")]
    assert reveals and all(CJK.search(r.split("</summary>")[0]) for r in reveals)
    assert not any(CJK.search(c.source) for c in english.cells)


def test_make_lab_in_chinese_writes_work_zh_and_keeps_a_changed_notebook(tmp_path):
    work = tmp_path / "work-zh"
    assert editions.lab(work, lang="zh") == []
    first = work / NOTEBOOKS[0].name
    assert CJK.search(first.read_text(encoding="utf-8"))
    first.write_text(first.read_text(encoding="utf-8").replace("第 01 课", "第一课", 1), encoding="utf-8")
    report = editions.lab(work, lang="zh")
    assert report and report[0].startswith(f"kept {NOTEBOOKS[0].name}") and "第一课" in first.read_text("utf-8")


def test_nbgrader_source_in_chinese_has_the_english_code(tmp_path):
    en = editions.nbgrader_course(tmp_path / "en")
    zh = editions.nbgrader_course(tmp_path / "zh", lang="zh")
    assert [p.relative_to(tmp_path / "en") for p in en] == [p.relative_to(tmp_path / "zh") for p in zh]
    for a, b in zip(en, zh):
        na, nb_ = nbformat.read(a, as_version=4), nbformat.read(b, as_version=4)
        assert [c.source for c in na.cells if c.cell_type == "code"] == [c.source for c in nb_.cells
                                                                        if c.cell_type == "code"]
        assert any(CJK.search(c.source) for c in nb_.cells if c.cell_type == "markdown")


def test_makefile_documents_the_chinese_lab():
    run = subprocess.run(["make", "-n", "lab", "LANG=zh"], cwd=ROOT, capture_output=True, text=True, check=True)
    lab = [line for line in run.stdout.splitlines() if "jupyter lab" in line]
    assert lab and "COURSE_LANG=zh_CN" in lab[0] and "JUPYTER_CONFIG_PATH=" in lab[0] and "work-zh" in lab[0]
    assert "--lang zh_CN" in run.stdout
    run = subprocess.run(["make", "-n", "lab", "LANG=zh_CN.UTF-8"], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert "--lang en" in run.stdout   # a system's Chinese locale keeps the English course (make test's outputs)


# --- the package's language ------------------------------------------------------------------------------------

def _speak(code: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "COURSE_LANG"} | env
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


CHECKS = ("from course_utils import exercises\n"
          "exercises.check('01.4', 722)\nexercises.check('01.4', 656)\nexercises.check('01.4', None)\n"
          "import course_utils.models as m\n"
          "try:\n    m.mlp([1, 'a', 1])\nexcept ValueError as e:\n    print(e)\n")


def test_the_package_speaks_chinese_when_asked_and_english_otherwise():
    english = _speak(CHECKS, LANG="zh_CN.UTF-8").splitlines()   # a Chinese system alone does not switch
    assert [line[:1] for line in english[:3]] == ["✅", "❌", "⏳"] and english[0].startswith("✅ Right: ")
    assert not any(CJK.search(line) for line in english)
    chinese = _speak(CHECKS, COURSE_LANG="zh").splitlines()
    assert chinese[0].startswith("✅ 正确：") and chinese[1].startswith("❌ 还不对：") and chinese[2].startswith("⏳ ")
    assert all(CJK.search(line) for line in chinese) and "cfg[1]" in chinese[3]
    code = "import course_utils\ncourse_utils.set_language('zh')\n" + CHECKS
    assert _speak(code).splitlines() == chinese


def test_a_language_the_course_does_not_speak_gets_one_sentence():
    from course_utils import i18n
    with pytest.raises(ValueError, match="the course speaks .* not 'fr': use set_language"):
        i18n.set_language("fr")


def test_the_chinese_readme_lists_every_notebook_by_its_chinese_title_and_gives_the_two_commands():
    readme = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        first = next(m for m in translations.read_catalogue(translations.catalogue_path(path, LANG), LANG) if m.id)
        title = first.string.splitlines()[0].lstrip("# ")
        assert title in readme, f"README.zh-CN.md does not name {path.name} as its Chinese edition does: {title}"
    assert "make lab LANG=zh" in readme and "make test" in readme
    assert "README.zh-CN.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def _own_nodes(fn):
    """The nodes of a function's own scope (not those of functions, classes or comprehensions inside it)."""
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
                                 ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            stack.extend(ast.iter_child_nodes(node))


def test_no_function_that_translates_binds_the_name_underscore():
    """`x, _ = f()` in a function that also calls `_("...")` makes `_` local: its messages would raise."""
    offenders = []
    for path in translations.package_sources():
        for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                binds = any(isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)
                            for n in _own_nodes(fn))
                calls = any(isinstance(n, ast.Call) and getattr(n.func, "id", None) == "_" for n in ast.walk(fn))
                if binds and calls:
                    offenders.append(f"{path.relative_to(ROOT)}: {fn.name} (line {fn.lineno})")
    assert not offenders, offenders
