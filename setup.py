"""For `scrapyd-deploy`, which builds the Scrapyd egg with `setup.py bdist_egg`
(without this file it writes its own, packaging every folder under a name of its
choosing). The package itself is described in pyproject.toml."""

from setuptools import setup

setup()
