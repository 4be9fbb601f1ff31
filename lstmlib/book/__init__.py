"""The book's apparatus: figures, diagrams, scrubbers, dashboards, live progress, checked claims.

This layer may import matplotlib, ipywidgets and IPython (``pip install -e .[book]``);
the core (``lstmlib``) and the clinic (``lstmlib.diagnose``) never import it. Nothing
is imported here, so ``from lstmlib.book import claims`` loads only what it needs.

    viz                 figure, to_png, scrubber, dashboard; use_book_style() (explicit)
    source              show_source(obj), show_mistake(mistake_id): code on the page
    progress            live_progress: train.fit's callback for a notebook
    diagram             the LSTM cell drawn from code, and its gates over time
    graphs              the unrolled, stacked and head backward diagrams (chapters 1, 3, 4, 6)
    exercises           the chapters' coding exercises, checked: check(id, your_function)
    rnn_flow            chapter 1's pictures          lstm_flow       chapters 2 and 4's
    peephole_flow       chapter 5's pictures          clinic_views    chapters 6-7's
    benchmark_results   the benchmarks' tables, shipped as package data (chapter 8)
    claims              verdicts asserted in code
"""
