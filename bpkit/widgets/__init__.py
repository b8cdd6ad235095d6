"""Widgets for the lessons (ipywidgets), one module per lesson: ``bpkit.widgets.lessonNN``.

Convention: every public function listed in a module's ``__all__`` takes no required
arguments and returns an ``ipywidgets.Widget``. Widgets never print: they update
``Label``/``HTML`` values or figure state, and every number they show is computed by a
bpkit function that ordinary, checked notebook cells also call.
"""
