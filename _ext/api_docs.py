"""Sphinx extension: keep the API page (api.md) about lstmlib's own names.

A NamedTuple's fields document themselves as "Alias for field number N"; the
cache classes' docstrings already say what each field holds, with its shape.
Type hints name numpy's and ipywidgets' classes, which have no page here (no
intersphinx: the site works offline), so the nitpicky build ignores them.
"""
NOT_OURS = {("py:class", "numpy.ndarray"), ("py:class", "t.Any")}


def _skip_namedtuple_fields(app, what, name, obj, skip, options):
    if type(obj).__name__ == "_tuplegetter":
        return True
    return None


def _ignore_foreign_classes(app, config):
    config.nitpick_ignore = {tuple(entry) for entry in config.nitpick_ignore} | NOT_OURS


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")  # its event must exist before we connect
    app.connect("config-inited", _ignore_foreign_classes)
    app.connect("autodoc-skip-member", _skip_namedtuple_fields)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
