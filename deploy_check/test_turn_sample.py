"""coturn's sample relays only to the public internet: never to the machine
itself, private networks or the cloud's metadata service; and it names the
relay port range that the firewall must open."""

import ipaddress
import re
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "deploy" / "turnserver.conf"

MUST_BE_DENIED = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "169.254.169.254/32",
    "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7", "fe80::/10", "::ffff:0:0/96",
]


def settings():
    lines = [line.strip() for line in SAMPLE.read_text().splitlines()]
    return [tuple(line.split("=", 1)) if "=" in line else (line, "") for line in lines if line and not line.startswith("#")]


def denied_ranges():
    ranges = []
    for key, value in settings():
        if key == "denied-peer-ip":
            first, _, last = value.partition("-")
            ranges.append((ipaddress.ip_address(first), ipaddress.ip_address(last or first)))
    return ranges


def covered(network, ranges):
    net = ipaddress.ip_network(network)
    return any(
        first.version == net.version and first <= net[0] and net[-1] <= last for first, last in ranges
    )


def test_private_loopback_link_local_and_metadata_ranges_are_denied():
    ranges = denied_ranges()
    missing = [n for n in MUST_BE_DENIED if not covered(n, ranges)]
    assert not missing, f"deploy/turnserver.conf relays to {missing}"


def test_the_check_sees_a_range_left_out():
    ranges = [r for r in denied_ranges() if str(r[0]) != "169.254.0.0"]
    assert not covered("169.254.169.254/32", ranges)


def test_public_addresses_are_not_denied():
    ranges = denied_ranges()
    for public in ("8.8.8.8/32", "2606:4700::1111/128", "193.99.144.80/32"):
        assert not covered(public, ranges), public


def test_the_relay_port_range_is_named():
    values = dict(settings())
    low, high = int(values["min-port"]), int(values["max-port"])
    assert 1024 < low < high <= 65535
    assert re.search(rf"{low}\D+{high}", (SAMPLE.parent.parent / "docs" / "deploy.md").read_text()), (
        "docs/deploy.md names the relay ports to open"
    )
