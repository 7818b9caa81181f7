import unittest
from unittest import mock

from componentize_py_types import Err
from wit_world.imports import context as wit_context
from wit_world.imports import log as wit_log
from wit_world.imports import types as wit_types

from fakes import PHASE_NOT_ALLOWED, FakeRequestContext
from hookline import Context, ErrorInfo, HookError, LogLevel, Phase, User, codes


class ReadingTheRequest(unittest.TestCase):
    def test_the_body_is_the_parsed_json(self):
        ctx = Context(FakeRequestContext(body={"email": "a@b.c", "tags": [1, 2]}))
        self.assertEqual(ctx.body(), {"email": "a@b.c", "tags": [1, 2]})

    def test_a_request_without_json_body_has_the_body_none(self):
        self.assertIsNone(Context(FakeRequestContext()).body())

    def test_a_route_parameter_is_a_string(self):
        ctx = Context(FakeRequestContext(params={"name": "ada"}))
        self.assertEqual(ctx.param("name"), "ada")
        self.assertEqual(ctx.params(), {"name": "ada"})

    def test_a_missing_route_parameter_is_none(self):
        self.assertIsNone(Context(FakeRequestContext(params={"name": "ada"})).param("id"))

    def test_a_non_string_route_parameter_is_its_json_text(self):
        ctx = Context(FakeRequestContext(params={"n": 5}))
        self.assertEqual(ctx.param("n"), "5")

    def test_the_config_is_an_empty_dict_when_none_is_attached(self):
        self.assertEqual(Context(FakeRequestContext()).config(), {})

    def test_headers_are_found_by_case_insensitive_name(self):
        ctx = Context(FakeRequestContext(headers=[("X-Test", "a"), ("x-test", "b")]))
        self.assertEqual(ctx.header("x-TEST"), "a, b")
        self.assertIsNone(ctx.header("missing"))

    def test_the_phase_is_the_sdk_enum(self):
        ctx = Context(FakeRequestContext(phase=wit_context.Phase.POST_HOOK))
        self.assertIs(ctx.phase(), Phase.POST_HOOK)

    def test_the_user_is_converted_to_the_sdk_type(self):
        user = wit_types.User(7, "ada@example.com", "editor", False, True, None)
        ctx = Context(FakeRequestContext(user=user))
        self.assertEqual(ctx.user(), User(7, "ada@example.com", "editor", False, True, None))

    def test_an_anonymous_request_has_no_user(self):
        self.assertIsNone(Context(FakeRequestContext()).user())

    def test_the_earlier_error_has_its_details_parsed(self):
        error = wit_types.ErrorInfo(
            "Nope", "HookError", 418, '{"why":"tea"}', "2026-01-01T00:00:00Z"
        )
        ctx = Context(FakeRequestContext(error=error))
        self.assertEqual(
            ctx.error(),
            ErrorInfo("Nope", "HookError", 418, {"why": "tea"}, "2026-01-01T00:00:00Z"),
        )

    def test_invalid_json_from_the_host_fails_loudly(self):
        fake = FakeRequestContext()
        fake.texts["body"] = "{not json"
        with self.assertRaisesRegex(RuntimeError, "invalid JSON"):
            Context(fake).body()


class ChangingTheRequest(unittest.TestCase):
    def test_set_body_sends_compact_json(self):
        fake = FakeRequestContext()
        Context(fake).set_body({"email": "ada@example.com", "n": 1})
        self.assertEqual(fake.set_calls, [("body", '{"email":"ada@example.com","n":1}')])

    def test_set_body_keeps_non_ascii_text_as_utf8(self):
        fake = FakeRequestContext()
        Context(fake).set_body({"name": "Jörg"})
        self.assertEqual(fake.set_calls, [("body", '{"name":"Jörg"}')])

    def test_a_share_written_back_keeps_the_keys_of_earlier_hooks(self):
        fake = FakeRequestContext(share={"trace": ["first"]})
        ctx = Context(fake)
        share = ctx.share()
        share["validationPassed"] = True
        ctx.set_share(share)
        self.assertEqual(ctx.share(), {"trace": ["first"], "validationPassed": True})

    def test_a_refused_change_raises_the_hosts_error(self):
        ctx = Context(FakeRequestContext(refuse=True))
        with self.assertRaises(HookError) as raised:
            ctx.set_body({"x": 1})
        self.assertEqual(
            (raised.exception.status, raised.exception.code, raised.exception.message),
            (PHASE_NOT_ALLOWED.status, PHASE_NOT_ALLOWED.code, PHASE_NOT_ALLOWED.message),
        )

    def test_a_refusal_with_headers_and_details_is_read_back_whole(self):
        refusal = wit_types.HookError(
            503, "BUSY", "try again", '{"queue":"full"}', [("Retry-After", "1")]
        )
        fake = FakeRequestContext()
        with mock.patch.object(fake, "set_data", side_effect=Err(refusal)):
            with self.assertRaises(HookError) as raised:
                Context(fake).set_data(1)
        error = raised.exception
        self.assertEqual(
            (error.status, error.code, error.message, error.details, error.headers),
            (503, "BUSY", "try again", {"queue": "full"}, [("Retry-After", "1")]),
        )

    def test_a_value_json_cannot_hold_is_a_500_not_serializable_and_nothing_is_sent(self):
        for value in ({1, 2}, {"x": float("nan")}, {"x": object()}):
            with self.subTest(value=value):
                fake = FakeRequestContext()
                with self.assertRaises(HookError) as raised:
                    Context(fake).set_body(value)
                self.assertEqual(raised.exception.status, 500)
                self.assertEqual(raised.exception.code, codes.NOT_SERIALIZABLE)
                self.assertEqual(fake.set_calls, [])

    def test_status_and_header_are_passed_through(self):
        fake = FakeRequestContext(phase=wit_context.Phase.HANDLER)
        ctx = Context(fake)
        ctx.set_status(201)
        ctx.set_header("x-id", "7")
        self.assertEqual(fake.set_calls, [("status", 201), ("header", ("x-id", "7"))])


class Logging(unittest.TestCase):
    def test_log_writes_at_info_level_unless_told(self):
        ctx = Context(FakeRequestContext())
        with mock.patch.object(wit_log, "write") as write:
            ctx.log("hello")
            ctx.log("careful", LogLevel.WARN)
        self.assertEqual(
            write.call_args_list,
            [mock.call(wit_log.Level.INFO, "hello"), mock.call(wit_log.Level.WARN, "careful")],
        )


if __name__ == "__main__":
    unittest.main()
