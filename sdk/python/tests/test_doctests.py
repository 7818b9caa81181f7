"""Runs the examples in the SDK's docstrings."""

import doctest

import hookline.error
import hookline.types


def load_tests(loader, tests, ignore):
    tests.addTests(doctest.DocTestSuite(hookline.error))
    tests.addTests(doctest.DocTestSuite(hookline.types))
    return tests
