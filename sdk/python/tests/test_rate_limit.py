import functools
import json
import unittest

from componentize_py_types import Err
from wit_world.imports import rate_limit as wit_rate_limit
from wit_world.imports import types as wit_types

import hookline
from fakes import FAKE_NOW, FakeRateLimit, FakeRequestContext, RefusalAssertions, plugin_module
from hookline import Context, RateLimitResult, rate_limit


class RateLimitTestCase(RefusalAssertions):
    def setUp(self) -> None:
        self.host = FakeRateLimit()
        self.enterContext(self.host)


class Checking(RateLimitTestCase):
    def test_by_ip_passes_the_options_and_answers_the_result(self):
        result = rate_limit.by_ip(5, 60)
        self.assertEqual(self.host.calls, [("by_ip", wit_rate_limit.Options(5, 60))])
        self.assertEqual(
            result,
            RateLimitResult(
                allowed=True, remaining=4, reset_at=FAKE_NOW + 60, retry_after=0, limit=5, window=60
            ),
        )

    def test_options_can_be_given_by_keyword(self):
        rate_limit.check("k", max_requests=3, per_seconds=10)
        self.assertEqual(self.host.calls, [("check", "k", wit_rate_limit.Options(3, 10))])

    def test_to_dict_is_the_reference_result_object(self):
        result = rate_limit.by_ip(5, 60)
        self.assertEqual(
            json.dumps(result.to_dict(), separators=(",", ":")),
            f'{{"allowed":true,"remaining":4,"resetAt":{FAKE_NOW + 60},'
            '"retryAfter":0,"limit":5,"window":60}',
        )

    def test_a_request_over_the_limit_is_not_allowed_and_says_when_to_retry(self):
        for _ in range(5):
            self.assertTrue(rate_limit.by_ip(5, 60).allowed)
        self.host.now += 15
        self.assertEqual(
            rate_limit.by_ip(5, 60),
            RateLimitResult(False, 0, self.host.now + 45, 45, 5, 60),
        )

    def test_every_template_calls_its_own_wit_function(self):
        self.host.user_id = 7
        for template in (
            rate_limit.by_ip,
            rate_limit.by_user,
            rate_limit.by_route,
            rate_limit.by_ip_global,
            rate_limit.by_user_global,
        ):
            template(5, 60)
        self.assertEqual(
            [call[0] for call in self.host.calls],
            ["by_ip", "by_user", "by_route", "by_ip_global", "by_user_global"],
        )

    def test_check_counts_status_only_looks_and_reset_forgets(self):
        rate_limit.check("login:ada", 2, 10)
        self.assertEqual(rate_limit.status("login:ada", 2, 10).remaining, 1)
        self.assertEqual(rate_limit.status("login:ada", 2, 10).remaining, 1)
        self.assertEqual(rate_limit.check("login:ada", 2, 10).remaining, 0)
        self.assertFalse(rate_limit.check("login:ada", 2, 10).allowed)
        rate_limit.reset("login:ada")
        self.assertEqual(rate_limit.status("login:ada", 2, 10).remaining, 2)
        self.assertIn(("reset", "login:ada"), self.host.calls)

    def test_the_package_attribute_and_the_import_are_the_same_module(self):
        self.assertIs(hookline.rate_limit, rate_limit)
        self.assertIs(rate_limit.RateLimitResult, RateLimitResult)


class TooMany(unittest.TestCase):
    def test_too_many_is_a_429_rate_limited_with_retry_after_and_the_x_rate_limit_headers(self):
        result = RateLimitResult(False, 0, 1_700_000_060, 42, 5, 60)
        error = result.too_many("Too many login attempts")
        self.assertEqual(
            (error.status, error.code, error.message, error.details, error.headers),
            (
                429,
                "RATE_LIMITED",
                "Too many login attempts",
                None,
                [
                    ("Retry-After", "42"),
                    ("X-RateLimit-Limit", "5"),
                    ("X-RateLimit-Remaining", "0"),
                    ("X-RateLimit-Reset", "1700000060"),
                ],
            ),
        )


class Refusals(RateLimitTestCase):
    def test_a_by_user_limit_without_a_user_is_a_401_no_user(self):
        error = self.assert_refused(lambda: rate_limit.by_user(5, 60), 401, "NO_USER")
        self.assertEqual(error.message, "by-user rate limits need an authenticated user")
        self.assert_refused(lambda: rate_limit.by_user_global(5, 60), 401, "NO_USER")

    def test_a_limiter_that_is_down_is_a_503_rate_limit_unavailable(self):
        self.host.unavailable = True
        self.assert_refused(lambda: rate_limit.by_route(5, 60), 503, "RATE_LIMIT_UNAVAILABLE")
        self.assert_refused(lambda: rate_limit.reset("k"), 503, "RATE_LIMIT_UNAVAILABLE")

    def test_other_refusals_are_a_400_with_the_hosts_code(self):
        self.assert_refused(lambda: rate_limit.by_ip_global(0, 60), 400, "INVALID_OPTIONS")
        self.assert_refused(lambda: rate_limit.check("", 5, 60), 400, "INVALID_KEY")
        self.assert_refused(lambda: rate_limit.reset(""), 400, "INVALID_KEY")

    def test_options_that_are_not_whole_u32_numbers_are_a_400_and_the_host_is_not_called(self):
        for options in ((1.5, 60), (5, -1), (2**32, 60), ("5", 60), (True, 60), (5, None)):
            with self.subTest(options=options):
                check = functools.partial(rate_limit.check, "k", *options)
                self.assert_refused(check, 400, "INVALID_OPTIONS")
        self.assertEqual(self.host.calls, [])


class InAHook(RateLimitTestCase):
    def test_a_pre_hook_raising_too_many_fails_the_request_with_the_429_and_its_headers(self):
        def limit_logins(ctx: Context) -> None:
            result = rate_limit.by_ip(max_requests=1, per_seconds=60)
            if not result.allowed:
                raise result.too_many(
                    f"Too many login attempts. Try again in {result.retry_after}s"
                )

        module = plugin_module(self, hookline.pre_hook, limit_logins)
        self.assertIsNone(module.PreHook().run(FakeRequestContext()))
        with self.assertRaises(Err) as raised:
            module.PreHook().run(FakeRequestContext())
        self.assertEqual(
            raised.exception.value,
            wit_types.HookError(
                429,
                "RATE_LIMITED",
                "Too many login attempts. Try again in 60s",
                None,
                [
                    ("Retry-After", "60"),
                    ("X-RateLimit-Limit", "1"),
                    ("X-RateLimit-Remaining", "0"),
                    ("X-RateLimit-Reset", str(FAKE_NOW + 60)),
                ],
            ),
        )


if __name__ == "__main__":
    unittest.main()
