"""Whom the limits count: the client behind our proxies, IPv6 by its /64."""
import pytest
from django.test import RequestFactory

from re_sys.services.clients import client_address


@pytest.fixture
def proxies(settings):
    settings.RE_SYS_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]


def _request(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


@pytest.mark.parametrize("remote, forwarded, counted", [
    ("127.0.0.1", "203.0.113.7", "203.0.113.7"),                # nginx on this machine
    ("10.1.2.3", "198.51.100.9, 203.0.113.7, 10.0.0.5", "203.0.113.7"),  # two proxies of ours
    ("127.0.0.1", None, "127.0.0.1"),                           # a local client, no proxy
    ("203.0.113.7", "1.2.3.4", "203.0.113.7"),                  # a client forging the header
    ("127.0.0.1", "not an address", "not an address"),
])
def test_the_client_is_the_first_address_left_of_our_proxies(proxies, remote, forwarded, counted):
    assert client_address(_request(remote, forwarded)) == counted


def test_ipv6_clients_are_counted_by_their_64(proxies):
    one = client_address(_request("2001:db8:1:2:aaaa::1"))
    other = client_address(_request("2001:db8:1:2:bbbb::9"))
    elsewhere = client_address(_request("2001:db8:1:3::1"))
    assert one == other == "2001:db8:1:2::/64" and elsewhere != one
    assert client_address(_request("::ffff:203.0.113.7")) == "203.0.113.7"


@pytest.mark.django_db
def test_one_attacker_behind_the_proxy_does_not_lock_out_everyone(client, settings, django_user_model):
    from re_sys.services import signin

    django_user_model.objects.create_user("ann", password="correct-horse-battery-9")
    for i in range(signin.ADDRESS_LIMIT + 3):
        client.post("/accounts/login/", {"username": f"guess{i}", "password": "x"},
                    REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert client.post("/accounts/login/", {"username": "zed", "password": "x"}, REMOTE_ADDR="127.0.0.1",
                       HTTP_X_FORWARDED_FOR="203.0.113.66").status_code == 429
    ann = client.post("/accounts/login/", {"username": "ann", "password": "correct-horse-battery-9"},
                      REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert ann.status_code == 302
