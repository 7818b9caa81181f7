import unittest

from hookline import HookError, throw


class Throwing(unittest.TestCase):
    def test_throw_raises_a_hook_error_with_every_field(self):
        with self.assertRaises(HookError) as raised:
            throw(422, "Age must be positive", code="AGE_INVALID", details={"age": -1})
        error = raised.exception
        self.assertEqual(
            (error.status, error.message, error.code, error.details),
            (422, "Age must be positive", "AGE_INVALID", {"age": -1}),
        )

    def test_code_and_details_default_to_none(self):
        error = HookError(400, "Email is required")
        self.assertEqual((error.code, error.details), (None, None))

    def test_the_error_reads_as_status_and_message(self):
        self.assertEqual(str(HookError(404, "No such user")), "404 No such user")


class Headers(unittest.TestCase):
    def test_an_error_has_no_headers_unless_given(self):
        self.assertEqual(HookError(400, "bad").headers, [])

    def test_headers_given_as_a_mapping_or_pairs_become_string_pairs(self):
        expected = [("Retry-After", "30"), ("X-Reason", "maintenance")]
        for headers in (
            {"Retry-After": 30, "X-Reason": "maintenance"},
            [("Retry-After", "30"), ("X-Reason", "maintenance")],
            iter([("Retry-After", 30), ("X-Reason", "maintenance")]),
        ):
            with self.subTest(headers=headers):
                self.assertEqual(HookError(503, "down", headers=headers).headers, expected)

    def test_pairs_keep_repeated_names_in_order(self):
        error = HookError(400, "bad", headers=[("Vary", "a"), ("Vary", "b")])
        self.assertEqual(error.headers, [("Vary", "a"), ("Vary", "b")])

    def test_with_header_adds_a_header_as_text_and_chains(self):
        error = HookError(503, "Maintenance", headers={"X-Reason": "upgrade"})
        self.assertIs(error.with_header("Retry-After", 600), error)
        self.assertEqual(error.headers, [("X-Reason", "upgrade"), ("Retry-After", "600")])

    def test_headers_are_keyword_only(self):
        with self.assertRaises(TypeError):
            HookError(400, "bad", None, None, {"X": "1"})

    def test_throw_passes_headers_on(self):
        with self.assertRaises(HookError) as raised:
            throw(401, "login first", headers={"WWW-Authenticate": "Bearer"})
        self.assertEqual(raised.exception.headers, [("WWW-Authenticate", "Bearer")])

    def test_the_headers_given_are_copied(self):
        given = [("Retry-After", "1")]
        error = HookError(429, "slow down", headers=given)
        error.with_header("X-Extra", "1")
        self.assertEqual(given, [("Retry-After", "1")])


if __name__ == "__main__":
    unittest.main()
