"""Helpers shared by the test modules: data builders, live servers, API tools (no tests here)."""
