"""Sphinx configuration of the course website (build it with `make site`).

The lessons are the stored notebooks (``lessons/`` links to ``../notebooks``), rendered with MyST-NB
without executing them; the package reference is generated from ``course_utils``'s docstrings (all but
the exercises, whose source holds the answers).
Everything the pages load ships with the installed packages: the site builds and reads offline.

The Chinese website is built from a copy of this folder whose lessons are the Chinese notebooks
(tools/build_site.py), with ``-D language=zh_CN``: the pages' own text comes from
``locale/zh_CN/LC_MESSAGES/site.po``, the theme's from Sphinx's and the theme's catalogues.
"""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = Path(os.environ.get("COURSE_ROOT", HERE.parent))   # the checkout (a copy of site/ is built elsewhere)
sys.path.insert(0, str(ROOT))  # document this checkout's course_utils, not another install
sys.path.insert(0, str(HERE / "_ext"))

project = "Neural networks from zero with PyTorch"
author = "the course authors"
copyright = "the course authors, MIT licence"

extensions = [
    "myst_nb",                  # notebooks and Markdown pages
    "sphinx.ext.autodoc",       # the package reference, from docstrings
    "sphinx.ext.autosummary",   # one page per course_utils module, found by walking the package
    "sphinx.ext.viewcode",      # each module's source, highlighted
    "sphinx-mathjax-offline",   # MathJax served from the site itself, not from a CDN
    "lesson_pages",             # _ext/lesson_pages.py: run-it box and static widget pictures
]
# Modules the reference leaves out: the exercises' source holds the self-checks' answers (the start page
# describes their learner API, exercises.check, instead). tools/build_site.py removes their stale outputs.
REFERENCE_HIDDEN = ("course_utils.exercises",)
exclude_patterns = ["_build", "**/.ipynb_checkpoints",
                    *(f"generated/{m}{tail}" for m in REFERENCE_HIDDEN for tail in (".rst", ".*.rst"))]
templates_path = ["_templates"]

# Notebooks: show what is stored (outputs are produced and tested by `make notebooks` / `make test`).
nb_execution_mode = "off"
# Widgets cannot run on a static page: prefer the picture their bundle carries, never the widget view.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
myst_enable_extensions = ["dollarmath", "amsmath"]  # $...$ renders as in JupyterLab
myst_heading_anchors = 3

# Package reference.
autosummary_generate = True
autosummary_ignore_module_all = False   # each module's __all__ is its API: helpers such as train.batches stay out
autosummary_context = {"hidden": REFERENCE_HIDDEN}  # _templates/autosummary/module.rst skips these
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints_format = "short"
add_module_names = False

# Languages: English here, Chinese in zh_CN/ (tools/build_site.py); every page links its twin.
locale_dirs = [str(ROOT / "locale")]
gettext_compact = "site"        # one catalogue for the pages' own text: locale/<lang>/LC_MESSAGES/site.po
# Chinese search: Sphinx's zh search splits words with jieba; the course's terms join its dictionary, so a
# search for 反向传播 finds the lesson that teaches it (tools/build_site.py writes the file from terms.csv).
html_search_options = {"dict": str(ROOT / "build" / "jieba-terms.txt")}
try:
    import logging

    import jieba
    jieba.setLogLevel(logging.WARNING)   # not its start-up lines in every build's output
except ImportError:
    pass
html_sidebars = {"**": ["navbar-logo.html", "icon-links.html", "search-button-field.html", "language-switch.html",
                        "sbt-sidebar-nav.html"]}

# HTML.
html_theme = "sphinx_book_theme"
html_title = "Neural networks from zero"
html_static_path = ["_static"]
html_favicon = "_static/favicon.png"   # without one, browsers ask for /favicon.ico and log a 404
html_css_files = ["course.css"]
html_js_files = [("zh-stemmer.js", {"priority": 100})]   # before the search's language data (see the file)
html_last_updated_fmt = None
html_context = {"default_mode": "light"}  # the theme logs a console error when no mode is set
html_theme_options = {
    "home_page_in_toc": False,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "navigation_with_keys": False,
    "navbar_persistent": [],  # one search field (in the sidebar), not a second one in a top bar
}
