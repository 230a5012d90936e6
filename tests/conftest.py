"""Plugins shared by the whole suite."""

# The browser fixtures (``browser``, ``page``) for every browser test module.
pytest_plugins = ["tests.app.browser"]


def pytest_configure(config: object) -> None:
    # Pages are rendered in Ukrainian and Russian: build the catalogues if a .po changed.
    from reunite.web.catalogues import compile_catalogues

    compile_catalogues()
