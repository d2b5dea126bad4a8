"""Helpers shared by the test modules: data builders, live servers, API tools, shared fixtures.

Test modules import from here, never from each other (tests/test_test_layout.py checks it). The
modules with fixtures several test modules use are registered in conftest.py (``pytest_plugins``).
"""
