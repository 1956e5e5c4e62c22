"""Lets nbgrader's Formgrader, in a JupyterLab started from the repository
root (``make lab``), find the course in assignments/. The configuration
itself lives in assignments/nbgrader_config.py."""

c = get_config()  # noqa: F821 - provided by traitlets
load_subconfig("assignments/nbgrader_config.py")  # noqa: F821
