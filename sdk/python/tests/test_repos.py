import json
import unittest

from componentize_py_types import Err
from wit_world.imports import types as wit_types

import hookline
from fakes import FakeRepos, FakeRequestContext, RefusalAssertions, plugin_module
from hookline import Context, codes, repos


class ReposTestCase(RefusalAssertions):
    def setUp(self) -> None:
        self.host = FakeRepos()
        self.enterContext(self.host)

    def seed(self, *titles: str) -> None:
        """Creates the posts ``titles`` in order (ids 1, 2, ...) and forgets those calls."""
        for title in titles:
            repos.create(
                "posts", {"title": title, "slug": title.lower(), "published": title[0] == "P"}
            )
        self.host.calls.clear()


class Calls(ReposTestCase):
    def test_create_sends_the_data_as_json_and_answers_the_stored_row(self):
        row = repos.create("posts", {"title": "Grüße", "slug": "gruesse"})
        self.assertEqual(row, {"id": 1, "published": False, "title": "Grüße", "slug": "gruesse"})
        self.assertEqual(
            self.host.calls, [("create", "posts", '{"title":"Grüße","slug":"gruesse"}')]
        )

    def test_find_sends_the_query_as_json_and_answers_the_rows_and_the_meta_asked_for(self):
        self.seed("Published one", "draft", "Published two")
        query = {
            "filter": {"published": {"_eq": True}},
            "sort": ["-id"],
            "limit": 1,
            "meta": ["totalCount", "filterCount"],
        }
        self.assertEqual(
            repos.find("posts", query),
            {
                "data": [
                    {"id": 3, "published": True, "title": "Published two", "slug": "published two"}
                ],
                "meta": {"totalCount": 3, "filterCount": 2},
            },
        )
        self.assertEqual(
            self.host.calls, [("find", "posts", json.dumps(query, separators=(",", ":")))]
        )

    def test_find_without_a_query_sends_an_empty_one_and_answers_no_meta(self):
        self.seed("a", "b")
        result = repos.find("posts")
        self.assertEqual([row["id"] for row in result["data"]], [1, 2])
        self.assertNotIn("meta", result)
        self.assertEqual(self.host.calls, [("find", "posts", "{}")])

    def test_find_one_answers_the_first_row_found_or_none(self):
        self.seed("a", "b")
        self.assertEqual(repos.find_one("posts", {"filter": {"id": {"_gt": 1}}})["title"], "b")
        self.assertIsNone(repos.find_one("posts", {"filter": {"title": {"_eq": "zzz"}}}))
        self.assertEqual(repos.find_one("posts")["id"], 1)

    def test_update_sends_the_id_and_answers_the_changed_row(self):
        self.seed("a")
        self.assertEqual(
            repos.update("posts", 1, {"title": "A"}),
            {"id": 1, "published": False, "title": "A", "slug": "a"},
        )
        self.assertEqual(self.host.calls, [("update", "posts", 1, '{"title":"A"}')])

    def test_delete_deletes_a_row_and_answers_what_it_was(self):
        self.seed("a", "b")
        self.assertEqual(repos.delete("posts", 1)["title"], "a")
        self.assertEqual(self.host.calls, [("delete", "posts", 1)])
        self.assertEqual(repos.count("posts"), 1)

    def test_count_answers_an_int_for_a_filter_or_without_one_every_row(self):
        self.seed("Published", "draft", "other")
        self.assertEqual(repos.count("posts"), 3)
        self.assertEqual(repos.count("posts", {"published": {"_eq": True}}), 1)
        self.assertEqual(
            [call[2] for call in self.host.calls], ["null", '{"published":{"_eq":true}}']
        )

    def test_the_package_attribute_and_the_import_are_the_same_module(self):
        self.assertIs(hookline.repos, repos)


class Refusals(ReposTestCase):
    def test_a_refused_call_is_a_hook_error_with_the_status_code_and_message_the_host_gave(self):
        self.seed("a")
        error = self.assert_refused(lambda: repos.find("users"), 403, "TABLE_NOT_ALLOWED")
        self.assertEqual(
            (error.message, error.details), ('this hook may not use the table "users"', None)
        )
        self.assert_refused(lambda: repos.update("posts", 9, {"title": "x"}), 404, "NOT_FOUND")
        self.assert_refused(
            lambda: repos.find("posts", {"filter": {"id": {"_like": 1}}}), 400, "INVALID_FILTER"
        )
        self.assert_refused(lambda: repos.find_one("posts", {"where": {}}), 400, "INVALID_QUERY")
        self.assert_refused(
            lambda: repos.create("posts", {"title": "A", "slug": "a"}), 409, "UNIQUE_VIOLATION"
        )

    def test_a_validation_error_carries_its_per_field_messages_as_details(self):
        error = self.assert_refused(
            lambda: repos.create("posts", {"slug": "x", "colour": "red"}), 400, "VALIDATION_ERROR"
        )
        self.assertEqual(error.message, "the row is not valid")
        self.assertEqual(error.details, {"colour": "is not a column", "title": "is required"})

    def test_a_database_that_does_not_answer_is_a_504_repo_timeout(self):
        self.host.timeout = True
        for call in (
            lambda: repos.find("posts"),
            lambda: repos.delete("posts", 1),
            lambda: repos.count("posts"),
        ):
            self.assert_refused(call, 504, "REPO_TIMEOUT")

    def test_an_id_that_is_not_a_whole_s64_number_is_a_400_and_the_host_is_not_called(self):
        for id in (1.5, "7", None, True, 2**63, -(2**63) - 1):
            with self.subTest(id=id):
                self.assert_refused(lambda id=id: repos.update("posts", id, {}), 400, "INVALID_ID")
                self.assert_refused(lambda id=id: repos.delete("posts", id), 400, "INVALID_ID")
        self.assertEqual(self.host.calls, [])

    def test_a_negative_id_reaches_the_host(self):
        self.assert_refused(lambda: repos.delete("posts", -1), 404, "NOT_FOUND")
        self.assertEqual(self.host.calls, [("delete", "posts", -1)])

    def test_a_value_json_cannot_hold_is_a_500_and_the_host_is_not_called(self):
        unserialisable = {"tags": {1, 2}}
        for call in (
            lambda: repos.find("posts", unserialisable),
            lambda: repos.find_one("posts", unserialisable),
            lambda: repos.create("posts", unserialisable),
            lambda: repos.update("posts", 1, unserialisable),
            lambda: repos.count("posts", unserialisable),
        ):
            self.assert_refused(call, 500, codes.NOT_SERIALIZABLE)
        self.assertEqual(self.host.calls, [])


class InAHook(ReposTestCase):
    def test_an_uncaught_repo_error_fails_the_request_with_it_details_included(self):
        def create_post(ctx: Context) -> dict:
            return repos.create("posts", ctx.body())

        module = plugin_module(self, hookline.handler, create_post)
        with self.assertRaises(Err) as raised:
            module.Handler().handle(FakeRequestContext(body={"slug": "no-title"}))
        self.assertEqual(
            raised.exception.value,
            wit_types.HookError(
                400, "VALIDATION_ERROR", "the row is not valid", '{"title":"is required"}', []
            ),
        )

    def test_a_handler_can_list_the_published_posts_with_their_count(self):
        self.seed("Published one", "draft", "Published two")

        def published_posts(ctx: Context) -> dict:
            result = repos.find(
                "posts",
                {
                    "filter": {"published": {"_eq": True}},
                    "sort": ["-id"],
                    "limit": 5,
                    "meta": ["filterCount"],
                },
            )
            titles = [post["title"] for post in result["data"]]
            return {"titles": titles, "total": result["meta"]["filterCount"]}

        module = plugin_module(self, hookline.handler, published_posts)
        self.assertEqual(
            module.Handler().handle(FakeRequestContext()),
            '{"titles":["Published two","Published one"],"total":2}',
        )


if __name__ == "__main__":
    unittest.main()
