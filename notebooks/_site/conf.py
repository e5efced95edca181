"""Sphinx configuration of the course site. ``python -m helpers.site`` (make run, make site) builds it from a
staging folder that holds the notebooks and a generated front page; execution is off: papermill already ran them.
Our own glue (front page, plotly figures, offline assets, the map of each page) is the extension helpers.site."""

project = "VAE latent spaces"  # helpers.site sets it (and html_title) to notebooks/course.yaml's title
author = "the vae-latent-notebooks contributors"
extensions = ["myst_nb", "sphinx_design", "sphinx_togglebutton", "helpers.site"]
nb_execution_mode = "off"
nb_merge_streams = True
nb_render_markdown_format = "myst"  # takeaways (text/markdown outputs) with $maths$
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]

html_theme = "sphinx_book_theme"
html_static_path = ["static"]
html_css_files = ["site.css"]
html_copy_source = True  # the download button's .ipynb (helpers.site replaces it with an outputs-free copy)
html_show_sourcelink = False
html_show_search_summary = False  # snippets would fetch() page sources: not possible from file://
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": True,
    "show_toc_level": 2,
    "show_prev_next": True,
    "navigation_with_keys": False,
    "home_page_in_toc": True,
}
html_context = {"default_mode": "auto"}  # light or dark as the reader's system prefers (and no console error)
html_sidebars = {"**": ["navbar-logo", "search-button-field", "sbt-sidebar-nav"]}

# MathJax 3 from the installed django-static-mathjax, copied (only the parts used) into _static/mathjax.
mathjax_path = "mathjax/startup.js"
mathjax3_config = {
    "loader": {"load": ["input/tex", "output/chtml", "a11y/assistive-mml"]},
}
