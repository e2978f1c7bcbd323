"""Repository-level pytest configuration: the project's own tests drive the suite with pytester."""

pytest_plugins = ["pytester"]
