import unittest

from componentize_py_types import Err
from wit_world.imports import types as wit_types

import hookline
from fakes import MAX_TTL_MS, FakeCache, FakeRequestContext, plugin_module
from hookline import Context, HookError, cache, codes


class CacheTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.host = FakeCache()
        self.enterContext(self.host)


class StoringValues(CacheTestCase):
    def test_set_sends_the_value_as_json_and_get_parses_it_back(self):
        cache.set("user:7", {"name": "Jörg", "tags": ["x"]}, 60_000)
        self.assertEqual(cache.get("user:7"), {"name": "Jörg", "tags": ["x"]})
        self.assertEqual(
            self.host.calls,
            [("set", "user:7", '{"name":"Jörg","tags":["x"]}', 60_000), ("get", "user:7")],
        )

    def test_get_of_an_absent_key_is_none(self):
        self.assertIsNone(cache.get("missing"))

    def test_set_no_expire_stores_without_a_ttl(self):
        cache.set_no_expire("config", [1, 2])
        self.assertEqual(cache.get("config"), [1, 2])
        self.assertEqual(self.host.calls[0], ("set_no_expire", "config", "[1,2]"))

    def test_delete_key_says_whether_there_was_a_value(self):
        cache.set("k", "v", 1_000)
        self.assertTrue(cache.delete_key("k"))
        self.assertFalse(cache.delete_key("k"))
        self.assertIsNone(cache.get("k"))

    def test_the_package_attribute_and_the_import_are_the_same_module(self):
        self.assertIs(hookline.cache, cache)


class Locks(CacheTestCase):
    def test_acquire_takes_a_free_lock_once_and_release_needs_the_same_owner(self):
        self.assertTrue(cache.acquire("lock:job", {"worker": 1}, 5_000))
        self.assertFalse(cache.acquire("lock:job", {"worker": 2}, 5_000))
        self.assertFalse(cache.release("lock:job", {"worker": 2}))
        self.assertTrue(cache.release("lock:job", {"worker": 1}))
        self.assertFalse(cache.release("lock:job", {"worker": 1}))
        self.assertEqual(self.host.calls[0], ("acquire", "lock:job", '{"worker":1}', 5_000))

    def test_exists_compares_json_values_by_content_for_values_and_lock_owners(self):
        cache.set("user:7", {"a": 1, "b": 2}, 1_000)
        cache.acquire("lock:7", "owner-1", 1_000)
        self.assertTrue(cache.exists("user:7", {"b": 2, "a": 1}))
        self.assertFalse(cache.exists("user:7", {"a": 1}))
        self.assertTrue(cache.exists("lock:7", "owner-1"))
        self.assertFalse(cache.exists("missing", None))


class Refusals(CacheTestCase):
    def test_a_refused_call_is_a_400_with_the_hosts_code_and_message(self):
        with self.assertRaises(HookError) as raised:
            cache.get("")
        error = raised.exception
        self.assertEqual(
            (error.status, error.code, error.message),
            (400, "INVALID_KEY", "key must be 1 to 512 bytes"),
        )

    def test_a_ttl_out_of_the_hosts_range_is_its_400_invalid_ttl(self):
        for ttl in (0, MAX_TTL_MS + 1):
            with self.subTest(ttl=ttl):
                with self.assertRaises(HookError) as raised:
                    cache.set("k", 1, ttl)
                error = raised.exception
                self.assertEqual((error.status, error.code), (400, "INVALID_TTL"))

    def test_a_cache_that_does_not_answer_is_a_503_cache_unavailable(self):
        self.host.unavailable = True
        calls = (
            lambda: cache.get("k"),
            lambda: cache.set_no_expire("k", 1),
            lambda: cache.release("k", 1),
            lambda: cache.delete_key("k"),
        )
        for call in calls:
            with self.assertRaises(HookError) as raised:
                call()
            self.assertEqual(
                (raised.exception.status, raised.exception.code), (503, "CACHE_UNAVAILABLE")
            )

    def test_a_ttl_that_is_not_a_whole_number_of_ms_is_a_400_and_the_host_is_not_called(self):
        for ttl in (1.5, -1, "1000", None, True, 2**64):
            with self.subTest(ttl=ttl):
                for call in (cache.set, cache.acquire):
                    with self.assertRaises(HookError) as raised:
                        call("k", 1, ttl)
                    self.assertEqual(
                        (raised.exception.status, raised.exception.code), (400, "INVALID_TTL")
                    )
        self.assertEqual(self.host.calls, [])

    def test_a_value_json_cannot_hold_is_a_500_and_the_host_is_not_called(self):
        calls = (
            lambda: cache.set("k", {1, 2}, 1_000),
            lambda: cache.set_no_expire("k", float("nan")),
            lambda: cache.exists("k", object()),
        )
        for call in calls:
            with self.assertRaises(HookError) as raised:
                call()
            self.assertEqual(
                (raised.exception.status, raised.exception.code), (500, codes.NOT_SERIALIZABLE)
            )
        self.assertEqual(self.host.calls, [])


class InAHook(CacheTestCase):
    def test_an_uncaught_cache_error_fails_the_request_with_it(self):
        self.host.unavailable = True

        def handle(ctx: Context) -> object:
            return cache.get("visits")

        module = plugin_module(self, hookline.handler, handle)
        with self.assertRaises(Err) as raised:
            module.Handler().handle(FakeRequestContext())
        self.assertEqual(
            raised.exception.value,
            wit_types.HookError(
                503, "CACHE_UNAVAILABLE", "the cache did not answer in time", None, []
            ),
        )

    def test_a_handler_can_count_visits_with_a_lock(self):
        def count_visits(ctx: Context) -> dict:
            key = f"visits:{ctx.client_ip()}"
            if not cache.acquire(f"lock:{key}", "counter", 5_000):
                raise HookError(409, "busy, try again")
            count = (cache.get(key) or 0) + 1
            cache.set(key, count, 60_000)
            cache.release(f"lock:{key}", "counter")
            return {"count": count}

        module = plugin_module(self, hookline.handler, count_visits)
        module.Handler().handle(FakeRequestContext())
        self.assertEqual(module.Handler().handle(FakeRequestContext()), '{"count":2}')


if __name__ == "__main__":
    unittest.main()
