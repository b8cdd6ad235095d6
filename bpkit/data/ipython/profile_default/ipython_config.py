# IPython profile used by bpkit's test runs and graders (IPYTHONDIR points here).
# Failure reports then read cleanly: no ANSI colour codes, no long chained tracebacks.
c = get_config()  # noqa: F821
c.InteractiveShell.colors = "nocolor"
c.InteractiveShell.xmode = "Minimal"
c.HistoryManager.enabled = False
