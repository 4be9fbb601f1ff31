"""The book's apparatus: figures, diagrams, scrubbers, dashboards, checked claims.

This layer may import matplotlib, ipywidgets and IPython; the core (``lstmlib``)
and the clinic (``lstmlib.diagnose``) never import it. Nothing is imported here, so
``from lstmlib.book import claims`` loads only what it needs.
"""
