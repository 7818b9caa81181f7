import base64
import hashlib
import hmac
import json
import re
import unittest

from componentize_py_types import Err
from wit_world.imports import helpers as wit_helpers
from wit_world.imports import types as wit_types

import hookline
from fakes import FakeHelpers, FakeRequestContext, plugin_module
from hookline import Context, HookError, SshKeyPair, codes, helpers
from hookline.helpers import crypto


def claims_of(token: str) -> dict:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


class HelperTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.host = FakeHelpers()
        self.enterContext(self.host)


class Tokens(HelperTestCase):
    def test_jwt_sends_the_payload_as_json_and_returns_the_token(self):
        token = helpers.jwt({"id": 7, "email": "a@b.c"}, "7d")
        self.assertEqual(self.host.calls, [("jwt", '{"id":7,"email":"a@b.c"}', "7d")])
        claims = claims_of(token)
        self.assertEqual(claims["id"], 7)
        self.assertEqual(claims["exp"] - claims["iat"], 7 * 86400)

    def test_the_package_attribute_and_the_import_are_the_same_module(self):
        self.assertIs(hookline.helpers, helpers)
        self.assertIs(helpers.crypto, crypto)

    def test_a_helper_error_is_a_400_hook_error_with_the_helpers_code(self):
        with self.assertRaises(HookError) as raised:
            helpers.jwt({"id": 1}, "7 days")
        error = raised.exception
        self.assertEqual((error.status, error.code), (400, "INVALID_EXPIRATION"))
        self.assertIn("7 days", error.message)

    def test_a_payload_that_is_not_an_object_is_the_hosts_invalid_payload(self):
        with self.assertRaises(HookError) as raised:
            helpers.jwt([1], "1h")
        self.assertEqual((raised.exception.status, raised.exception.code), (400, "INVALID_PAYLOAD"))

    def test_a_payload_json_cannot_hold_is_a_500_and_the_host_is_not_called(self):
        with self.assertRaises(HookError) as raised:
            helpers.jwt({"ids": {1, 2}}, "1h")
        self.assertEqual(
            (raised.exception.status, raised.exception.code), (500, codes.NOT_SERIALIZABLE)
        )
        self.assertEqual(self.host.calls, [])


class InAHook(HelperTestCase):
    def test_an_uncaught_helper_error_fails_the_request_with_it(self):
        def handle(ctx: Context) -> dict:
            return {"token": helpers.jwt({"id": 1}, "soon")}

        module = plugin_module(self, hookline.handler, handle)
        with self.assertRaises(Err) as raised:
            module.Handler().handle(FakeRequestContext())
        self.assertEqual(
            raised.exception.value,
            wit_types.HookError(
                400,
                "INVALID_EXPIRATION",
                "invalid expiration 'soon': use e.g. 15m, 1h, 7d",
                None,
                [],
            ),
        )

    def test_a_caught_helper_error_lets_the_hook_carry_on(self):
        def handle(ctx: Context) -> dict:
            try:
                return {"bytes": crypto.random_bytes(5000)}
            except HookError as error:
                return {"fallback": error.code}

        module = plugin_module(self, hookline.handler, handle)
        self.assertEqual(
            module.Handler().handle(FakeRequestContext()), '{"fallback":"INVALID_SIZE"}'
        )


class Passwords(HelperTestCase):
    def test_bcrypt_hash_and_compare_go_to_the_host(self):
        hashed = helpers.bcrypt_hash("myPassword123")
        self.assertTrue(helpers.bcrypt_compare("myPassword123", hashed))
        self.assertFalse(helpers.bcrypt_compare("wrong", hashed))

    def test_a_password_bcrypt_refuses_is_a_400(self):
        with self.assertRaises(HookError) as raised:
            helpers.bcrypt_hash("x" * 73)
        self.assertEqual((raised.exception.status, raised.exception.code), (400, "BCRYPT_FAILED"))


class Slugs(HelperTestCase):
    def test_auto_slug_returns_the_hosts_slug(self):
        self.assertEqual(helpers.auto_slug("My Product Name"), "my-product-name")
        self.assertEqual(self.host.calls, [("auto_slug", "My Product Name")])


class Crypto(HelperTestCase):
    def test_random_uuid_is_the_hosts_uuid(self):
        self.assertRegex(
            crypto.random_uuid(),
            r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        )

    def test_random_bytes_are_hex_unless_told(self):
        self.assertRegex(crypto.random_bytes(4), r"^[0-9a-f]{8}$")
        self.assertRegex(crypto.random_bytes(32, "base64url"), r"^[A-Za-z0-9_-]{43}$")
        self.assertRegex(crypto.random_bytes(2, "base64"), r"^[A-Za-z0-9+/]{3}=$")
        self.assertEqual(
            [call[2] for call in self.host.calls],
            [wit_helpers.Encoding.HEX, wit_helpers.Encoding.BASE64URL, wit_helpers.Encoding.BASE64],
        )

    def test_a_size_that_is_not_a_u32_is_refused_before_calling_the_host(self):
        for size in (-1, 1.5, 2**32, "8", True):
            with self.subTest(size=size):
                with self.assertRaises(HookError) as raised:
                    crypto.random_bytes(size)
                error = raised.exception
                self.assertEqual((error.status, error.code), (400, "INVALID_SIZE"))
        self.assertEqual(self.host.calls, [])

    def test_sha256_and_hmac_sha256_default_to_hex(self):
        self.assertEqual(crypto.sha256("payload"), hashlib.sha256(b"payload").hexdigest())
        self.assertEqual(
            crypto.hmac_sha256("payload", "shared-secret"),
            hmac.new(b"shared-secret", b"payload", hashlib.sha256).hexdigest(),
        )

    def test_the_encoding_is_passed_to_the_host(self):
        digest = hashlib.sha256(b"payload").digest()
        self.assertEqual(crypto.sha256("payload", "base64"), base64.b64encode(digest).decode())
        self.assertEqual(
            crypto.sha256("payload", "base64url"),
            base64.urlsafe_b64encode(digest).decode().rstrip("="),
        )

    def test_an_unknown_encoding_is_a_400_and_the_host_is_not_called(self):
        calls = (
            lambda: crypto.sha256("payload", "utf8"),
            lambda: crypto.hmac_sha256("a", "b", "HEX"),
            lambda: crypto.random_bytes(4, None),
        )
        for call in calls:
            with self.assertRaises(HookError) as raised:
                call()
            self.assertEqual(
                (raised.exception.status, raised.exception.code), (400, "INVALID_ENCODING")
            )
        self.assertEqual(self.host.calls, [])

    def test_generate_ssh_key_pair_returns_the_pair(self):
        pair = crypto.generate_ssh_key_pair("ada@example.com")
        self.assertIsInstance(pair, SshKeyPair)
        self.assertTrue(re.fullmatch(r"ssh-rsa \S+ ada@example\.com", pair.public_key))
        self.assertTrue(pair.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----"))
        self.assertEqual(
            pair.to_dict(), {"publicKey": pair.public_key, "privateKey": pair.private_key}
        )


class Sleeping(HelperTestCase):
    def test_sleep_passes_whole_milliseconds_clamped_to_0_to_30000(self):
        for ms in (1000, 2.7, -5, 10**12, float("inf"), float("nan")):
            helpers.sleep(ms)
        self.assertEqual([call[1] for call in self.host.calls], [1000, 2, 0, 30000, 30000, 0])


if __name__ == "__main__":
    unittest.main()
