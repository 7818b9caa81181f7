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


if __name__ == "__main__":
    unittest.main()
