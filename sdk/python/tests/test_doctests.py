"""Runs the examples in the SDK's docstrings."""

import doctest

import hookline.error


def load_tests(loader, tests, ignore):
    tests.addTests(doctest.DocTestSuite(hookline.error))
    return tests
