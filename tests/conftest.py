"""Plugins shared by the whole suite."""

# The browser fixtures (``browser``, ``page``) for every browser test module.
pytest_plugins = ["tests.app.browser"]
