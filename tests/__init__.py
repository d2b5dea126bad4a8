import pytest

# The helpers in tests/support/ assert too: pytest rewrites their asserts like the tests' own (for the
# same failure messages); registered here, before anything imports them.
pytest.register_assert_rewrite("tests.support")
