"""Sphinx configuration of the course website (build it with `make site`).

The lessons are the stored notebooks (``lessons/`` links to ``../notebooks``), rendered with MyST-NB
without executing them; the package reference is generated from ``course_utils``'s docstrings (all but
the exercises, whose source holds the answers).
Everything the pages load ships with the installed packages: the site builds and reads offline.
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # document this checkout's course_utils, not another install
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

# HTML.
html_theme = "sphinx_book_theme"
html_title = "Neural networks from zero"
html_static_path = ["_static"]
html_favicon = "_static/favicon.png"   # without one, browsers ask for /favicon.ico and log a 404
html_css_files = ["course.css"]
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
