"""Debian's nginx, run by a test: the sample site (deploy/nginx-waitroom.conf)
rendered into a directory of the test's own, with a throwaway self-signed
certificate, checked with `nginx -t` or served as a child process (never a
daemon, nothing under /etc/nginx touched).

Rendering changes only what a site's owner changes when installing it (the
ports of the `listen` lines, the certificate, the static root, the `upstream`
lines), each by replacing its exact text: a sample that no longer has that text
fails the test rather than being served half-rendered."""

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "deploy" / "nginx-waitroom.conf"

CERTIFICATE = (
    "ssl_certificate     /etc/letsencrypt/live/wait.example.org/fullchain.pem;\n"
    "    ssl_certificate_key /etc/letsencrypt/live/wait.example.org/privkey.pem;"
)
STATIC = "alias /srv/waitroom/static/;"
UPSTREAM = "    server 127.0.0.1:8001;\n    server 127.0.0.1:8002;\n    server 127.0.0.1:8003;\n    server 127.0.0.1:8004;\n"
HTTP_LISTEN = "    listen 80;\n    listen [::]:80;\n"
HTTPS_LISTEN = "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n"


def binary():
    """Debian's nginx (in /usr/sbin, which a user's PATH may lack), or NGINX=path.
    Missing, the test fails: CI installs it (.ci/run), `make test` does as root."""
    found = os.environ.get("NGINX") or shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not found or not os.access(found, os.X_OK):
        pytest.fail("The deployment tests need nginx: `sudo apt-get install nginx` (or set NGINX=/path/to/nginx)", pytrace=False)
    return found


def child_env():
    """The environment for nginx itself: without NGINX, which nginx reads as a
    list of sockets inherited from an old master (and complains of)."""
    return {name: value for name, value in os.environ.items() if name != "NGINX"}


def version():
    out = subprocess.run([binary(), "-v"], capture_output=True, text=True, check=True, env=child_env())
    return (out.stderr or out.stdout).strip()


def self_signed_certificate(directory):
    """A certificate for `localhost` (and 127.0.0.1) and its key; the
    certificate is its own authority, so a client trusts it with cafile=."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def replace(text, old, new):
    if old not in text:
        raise AssertionError(f"deploy/nginx-waitroom.conf no longer has {old!r}: update deploy_check/nginx.py")
    return text.replace(old, new)


def render_site(cert, key, *, upstreams=None, http_port=None, https_port=None, static_root=None):
    """The sample with a certificate of the test's; the rest as given (None: as in the sample)."""
    text = replace(SAMPLE.read_text(), CERTIFICATE, f"ssl_certificate     {cert};\n    ssl_certificate_key {key};")
    if upstreams is not None:
        text = replace(text, UPSTREAM, "".join(f"    server {address};\n" for address in upstreams))
    if http_port is not None:  # loopback only: a test serves nobody else (and may lack IPv6)
        text = replace(text, HTTP_LISTEN, f"    listen 127.0.0.1:{http_port};\n")
    if https_port is not None:
        text = replace(text, HTTPS_LISTEN, f"    listen 127.0.0.1:{https_port} ssl http2;\n")
    if static_root is not None:
        text = replace(text, STATIC, f"alias {static_root}/;")
    return text


def main_config(directory, site):
    """nginx.conf around the site, as Debian's includes sites-enabled/, with
    every file nginx writes kept in `directory`."""
    (directory / "site.conf").write_text(site)
    for sub in ("logs", "temp"):
        (directory / sub).mkdir(exist_ok=True)
    temp = directory / "temp"
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    # As root, nginx's workers would otherwise run as nobody, who may not read the test's files.
    user = "user root;" if os.geteuid() == 0 else ""
    conf = directory / "nginx.conf"
    conf.write_text(f"""
{user}
daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    {mime}
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {directory}/site.conf;
}}
""")
    return conf


def command(conf, *args):
    return [binary(), "-p", str(conf.parent), "-e", str(conf.parent / "logs" / "error.log"), "-c", str(conf), *args]


def check(conf):
    """`nginx -t`: (exit code, what it said)."""
    result = subprocess.run(command(conf, "-t"), capture_output=True, text=True, timeout=30, env=child_env())
    return result.returncode, result.stdout + result.stderr


class Nginx:
    """nginx serving `conf` in the foreground, a child of the test."""

    def __init__(self, conf):
        self.conf = conf
        self.process = None

    def start(self):
        log = self.conf.parent / "logs" / "stderr.log"
        with open(log, "a") as out:
            self.process = subprocess.Popen(command(self.conf), stdout=out, stderr=subprocess.STDOUT, env=child_env())
        return self

    def errors(self):
        log = self.conf.parent / "logs" / "error.log"
        return log.read_text() if log.exists() else ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # fast shutdown: open websockets would hold a graceful one
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
