"""No server-side request forgery: a webhook is never sent to loopback,
private, link-local (the cloud metadata address), CGNAT, multicast, reserved
or IPv6 unique-local / link-local addresses, however the host name resolves
— unless WAITROOM_WEBHOOKS_ALLOW_PRIVATE says so — and the connection goes to
the address that was checked."""

import ipaddress
import socket
import ssl
import subprocess

import pytest

from integrations import delivery
from integrations.delivery import DeliveryError, deliver_due, is_forbidden_address, resolve
from integrations.webhooks import WebhookDelivery
from testkit.helpers import make_caller

from .conftest import add_endpoint
from .receiver import Receiver

REFUSED = {
    "loopback": ["127.0.0.1", "127.255.0.9", "::1"],
    "private": ["10.0.0.1", "172.16.0.1", "172.31.255.254", "192.168.1.10"],
    "link-local and metadata": ["169.254.169.254", "169.254.1.1", "fe80::1"],
    "carrier-grade NAT": ["100.64.0.1", "100.127.255.254"],
    "multicast": ["224.0.0.1", "239.255.255.250", "ff02::1"],
    "reserved and special": ["0.0.0.0", "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1", "::"],
    "IPv6 unique local": ["fc00::1", "fd00:ec2::254"],
    "IPv4 hidden in IPv6": ["::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1"],
}
PUBLIC = ["93.184.216.34", "1.1.1.1", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize(
    "address", [a for addresses in REFUSED.values() for a in addresses], ids=lambda a: a
)
def test_non_public_addresses_are_refused(address, settings):
    settings.WAITROOM_WEBHOOKS_ALLOW_PRIVATE = False
    assert is_forbidden_address(ipaddress.ip_address(address))
    with pytest.raises(DeliveryError, match="is not a public address"):
        resolve(address, 443)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address):
    assert not is_forbidden_address(ipaddress.ip_address(address))


def fake_dns(monkeypatch, answers):
    """Host names resolve as `answers` says ({name: [address, …]}); every
    lookup of each name is counted."""
    lookups = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            lookups.append(host)
            family = lambda a: socket.AF_INET6 if ":" in a else socket.AF_INET  # noqa: E731
            return [(family(a), socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def test_a_name_that_resolves_to_a_private_address_is_refused(settings, monkeypatch):
    settings.WAITROOM_WEBHOOKS_ALLOW_PRIVATE = False
    fake_dns(monkeypatch, {"hooks.example": ["93.184.216.34", "10.0.0.5"], "meta.example": ["169.254.169.254"]})
    with pytest.raises(DeliveryError, match="10.0.0.5 is not a public address"):
        resolve("hooks.example", 443)
    with pytest.raises(DeliveryError, match="169.254.169.254"):
        resolve("meta.example", 443)
    settings.WAITROOM_WEBHOOKS_ALLOW_PRIVATE = True
    assert resolve("meta.example", 443) == "169.254.169.254"


def test_a_delivery_to_a_private_address_fails_without_connecting(clinic, settings, monkeypatch, clock):
    settings.WAITROOM_WEBHOOKS_ALLOW_PRIVATE = False
    with Receiver() as receiver:
        fake_dns(monkeypatch, {"inside.example": ["127.0.0.1"]})
        add_endpoint(clinic, url=f"https://inside.example:{receiver.port}/hooks", events=["caller.entered"])
        make_caller(clinic)
        deliver_due()
        assert receiver.received == []
    row = WebhookDelivery.objects.get()
    assert (row.status, row.last_error) == ("pending", "refused: 127.0.0.1 is not a public address")


def test_the_connection_goes_to_the_address_that_was_checked(clinic, local_hooks, monkeypatch, clock):
    """DNS rebinding: the name is looked up once; a second lookup (which could
    answer with another address) is never made, and the Host is the name."""
    with Receiver() as receiver:
        lookups = fake_dns(monkeypatch, {"practice.example": ["127.0.0.1"]})
        add_endpoint(clinic, url=f"http://practice.example:{receiver.port}/hooks?clinic=1", events=["caller.entered"])
        make_caller(clinic)
        deliver_due()
        [(headers, _, _)] = receiver.received
    assert lookups == ["practice.example"]
    assert headers["host"] == f"practice.example:{receiver.port}"
    assert WebhookDelivery.objects.get().status == "delivered"


def test_https_checks_the_certificate(clinic, settings, monkeypatch, clock, tmp_path):
    """A receiver whose certificate no authority signed is a failed try."""
    settings.WAITROOM_WEBHOOKS_ALLOW_PRIVATE = True
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=tls.example",
         "-addext", "subjectAltName=DNS:tls.example", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with Receiver(tls=context) as receiver:
        fake_dns(monkeypatch, {"tls.example": ["127.0.0.1"]})
        add_endpoint(clinic, url=f"https://tls.example:{receiver.port}/hooks", events=["caller.entered"])
        make_caller(clinic)
        deliver_due()
        assert receiver.received == []
    assert WebhookDelivery.objects.get().last_error == "TLS certificate: self-signed certificate"
    assert delivery.CONNECT_TIMEOUT == 5 and delivery.TOTAL_TIMEOUT == 10
