"""Tests that drive the lessons in a real browser (JupyterLab in Debian's chromium, through playwright)."""
