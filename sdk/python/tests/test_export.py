import sys
import types
import unittest

from componentize_py_types import Err
from wit_world.imports import types as wit_types

import hookline
from fakes import FakeRequestContext
from hookline import Context, HookError, codes, throw


def plugin_module() -> types.ModuleType:
    """A fresh module standing in for a plugin's ``app`` module."""
    module = types.ModuleType("plugin_under_test")
    sys.modules[module.__name__] = module
    return module


def in_module(module: types.ModuleType, function):
    function.__module__ = module.__name__
    return function


class ExportingAHandler(unittest.TestCase):
    def test_the_decorator_defines_the_class_componentize_py_exports(self):
        module = plugin_module()
        hookline.handler(in_module(module, lambda ctx: {"message": "hi"}))
        self.assertEqual(module.Handler().handle(FakeRequestContext()), '{"message":"hi"}')

    def test_the_decorator_returns_the_function_unchanged(self):
        module = plugin_module()
        function = in_module(module, lambda ctx: None)
        self.assertIs(hookline.handler(function), function)

    def test_the_handler_receives_a_context(self):
        module = plugin_module()
        hookline.handler(in_module(module, lambda ctx: ctx.param("name")))
        handled = module.Handler().handle(FakeRequestContext(params={"name": "ada"}))
        self.assertEqual(handled, '"ada"')

    def test_a_thrown_error_becomes_the_wit_err_with_json_details(self):
        module = plugin_module()

        def fail(ctx: Context):
            throw(422, "Age must be positive", code="AGE_INVALID", details={"age": -1})

        hookline.handler(in_module(module, fail))
        with self.assertRaises(Err) as raised:
            module.Handler().handle(FakeRequestContext())
        self.assertEqual(
            raised.exception.value,
            wit_types.HookError(422, "AGE_INVALID", "Age must be positive", '{"age":-1}', []),
        )

    def test_an_error_without_code_details_or_headers_sends_none_and_no_headers(self):
        module = plugin_module()

        def fail(ctx: Context):
            throw(400, "Email is required")

        hookline.handler(in_module(module, fail))
        with self.assertRaises(Err) as raised:
            module.Handler().handle(FakeRequestContext())
        self.assertEqual(
            raised.exception.value, wit_types.HookError(400, None, "Email is required", None, [])
        )

    def test_the_errors_headers_become_the_wit_list_of_pairs(self):
        module = plugin_module()

        def fail(ctx: Context):
            raise HookError(503, "Down", headers={"Retry-After": 30}).with_header("X-Why", "db")

        hookline.handler(in_module(module, fail))
        with self.assertRaises(Err) as raised:
            module.Handler().handle(FakeRequestContext())
        self.assertEqual(
            raised.exception.value,
            wit_types.HookError(503, None, "Down", None, [("Retry-After", "30"), ("X-Why", "db")]),
        )

    def test_headers_changed_after_construction_are_the_ones_sent(self):
        module = plugin_module()

        def fail(ctx: Context):
            error = HookError(429, "slow down")
            error.headers.append(("Retry-After", 5))
            raise error

        hookline.handler(in_module(module, fail))
        with self.assertRaises(Err) as raised:
            module.Handler().handle(FakeRequestContext())
        self.assertEqual(raised.exception.value.headers, [("Retry-After", "5")])

    def test_a_result_json_cannot_hold_is_a_500_not_serializable(self):
        module = plugin_module()
        hookline.handler(in_module(module, lambda ctx: {1, 2}))
        with self.assertRaises(Err) as raised:
            module.Handler().handle(FakeRequestContext())
        self.assertEqual(
            (raised.exception.value.status, raised.exception.value.code),
            (500, codes.NOT_SERIALIZABLE),
        )

    def test_details_json_cannot_hold_are_a_500_not_serializable(self):
        module = plugin_module()

        def fail(ctx: Context):
            throw(409, "Conflict", code="CONFLICT", details={"ids": {1}})

        hookline.handler(in_module(module, fail))
        with self.assertRaises(Err) as raised:
            module.Handler().handle(FakeRequestContext())
        self.assertEqual(
            (raised.exception.value.status, raised.exception.value.code),
            (500, codes.NOT_SERIALIZABLE),
        )

    def test_an_error_whose_details_json_cannot_hold_drops_its_headers_with_them(self):
        module = plugin_module()

        def fail(ctx: Context):
            throw(429, "slow down", details={"ids": {1}}, headers={"Retry-After": "5"})

        hookline.handler(in_module(module, fail))
        with self.assertRaises(Err) as raised:
            module.Handler().handle(FakeRequestContext())
        self.assertEqual(
            (raised.exception.value.code, raised.exception.value.headers),
            (codes.NOT_SERIALIZABLE, []),
        )

    def test_any_other_exception_propagates_so_the_instance_traps(self):
        module = plugin_module()

        def crash(ctx: Context):
            raise KeyError("bug")

        hookline.handler(in_module(module, crash))
        with self.assertRaises(KeyError):
            module.Handler().handle(FakeRequestContext())

    def test_a_second_handler_in_one_module_is_refused(self):
        module = plugin_module()
        hookline.handler(in_module(module, lambda ctx: 1))
        with self.assertRaisesRegex(ValueError, "already defines Handler"):
            hookline.handler(in_module(module, lambda ctx: 2))


class ExportingHooks(unittest.TestCase):
    def test_a_pre_hook_returning_none_continues(self):
        module = plugin_module()
        hookline.pre_hook(in_module(module, lambda ctx: None))
        self.assertIsNone(module.PreHook().run(FakeRequestContext()))

    def test_a_pre_hook_returning_a_value_answers_with_its_json(self):
        module = plugin_module()
        hookline.pre_hook(in_module(module, lambda ctx: {"cached": True}))
        self.assertEqual(module.PreHook().run(FakeRequestContext()), '{"cached":true}')

    def test_a_post_hook_return_value_is_ignored(self):
        module = plugin_module()
        hookline.post_hook(in_module(module, lambda ctx: "ignored"))
        self.assertIsNone(module.PostHook().run(FakeRequestContext()))

    def test_one_module_can_export_all_three_kinds(self):
        module = plugin_module()
        hookline.pre_hook(in_module(module, lambda ctx: None))
        hookline.handler(in_module(module, lambda ctx: 1))
        hookline.post_hook(in_module(module, lambda ctx: None))
        self.assertTrue(all(hasattr(module, name) for name in ("PreHook", "Handler", "PostHook")))


if __name__ == "__main__":
    unittest.main()
