"""The nginx site of deploy/ passes `nginx -t` on the nginx this machine has
(Debian's: 1.22 on Debian 12, 1.24 on Ubuntu 24.04), as it is installed: only
the certificate is the test's own."""

from . import nginx


def test_the_site_passes_nginx_t_as_shipped(tmp_path):
    cert, key = nginx.self_signed_certificate(tmp_path)
    conf = nginx.main_config(tmp_path, nginx.render_site(cert, key))

    code, output = nginx.check(conf)

    assert code == 0, f"{nginx.version()}:\n{output}"
    assert "test is successful" in output
    assert "[emerg]" not in output


def test_a_site_this_nginx_cannot_read_fails_it(tmp_path):
    """The check above can fail (`http2 on;` did, before 1.25.1)."""
    cert, key = nginx.self_signed_certificate(tmp_path)
    site = nginx.render_site(cert, key).replace("server_name", "no_such_directive on;\n    server_name", 1)

    code, output = nginx.check(nginx.main_config(tmp_path, site))

    assert code != 0
    assert "[emerg]" in output and "no_such_directive" in output


def test_other_ports_are_the_listen_lines(tmp_path):
    """How the deployment test (and a site's owner) serve on other ports."""
    cert, key = nginx.self_signed_certificate(tmp_path)
    site = nginx.render_site(cert, key, http_port=8080, https_port=8443, upstreams=["127.0.0.1:9001"])

    assert "listen 127.0.0.1:8443 ssl http2;" in site
    assert "listen 127.0.0.1:8080;" in site
    assert "listen 443" not in site and "listen 80" not in site
    assert nginx.check(nginx.main_config(tmp_path, site))[0] == 0
