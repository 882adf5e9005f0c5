"""Waitroom settings: every deployment choice comes from an environment variable.

The table of variables is in README.md; keep the two in step.
"""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}")


def env_number(name, default):
    """A positive number, fractions allowed (0.1 minutes: 6 seconds, for tests)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        number = 0
    if not number > 0:
        raise ImproperlyConfigured(f"{name} must be a number above 0, not {value!r}")
    return number


def env_list(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_json(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return json.loads(value)
    except ValueError as e:
        raise ImproperlyConfigured(f"{name} must be JSON: {e}")


def env_email(name, default):
    """Django's EMAIL_* settings from one URL: console://, file:///a/folder,
    locmem://, smtp://user:password@host:port, smtp+tls:// (STARTTLS, port 587
    by default) or smtp+ssl:// (TLS from the start, port 465 by default)."""
    value = os.environ.get(name) or default
    url = urlsplit(value)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
        "smtp+ssl": "django.core.mail.backends.smtp.EmailBackend",
    }
    if url.scheme not in backends:
        raise ImproperlyConfigured(f"{name} must start with one of {', '.join(backends)}, not {value!r}")
    mail = {"EMAIL_BACKEND": backends[url.scheme]}
    if url.scheme == "file":
        if not url.path:
            raise ImproperlyConfigured(f"{name}: file:///a/folder names the folder the mails are written to")
        mail["EMAIL_FILE_PATH"] = unquote(url.path)
    elif url.scheme.startswith("smtp"):
        if not url.hostname:
            raise ImproperlyConfigured(f"{name}: smtp://user:password@host:port needs a host")
        try:
            port = url.port
        except ValueError:
            raise ImproperlyConfigured(f"{name}: the port must be a number")
        mail.update(
            EMAIL_HOST=url.hostname,
            EMAIL_PORT=port or {"smtp": 25, "smtp+tls": 587, "smtp+ssl": 465}[url.scheme],
            # A password may hold characters a URL must escape (@, :, /).
            EMAIL_HOST_USER=unquote(url.username or ""),
            EMAIL_HOST_PASSWORD=unquote(url.password or ""),
            EMAIL_USE_TLS=url.scheme == "smtp+tls",
            EMAIL_USE_SSL=url.scheme == "smtp+ssl",
            EMAIL_TIMEOUT=20,
        )
    return mail


def secret_key():
    """SECRET_KEY from the environment, else one made once and kept in var/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(os.environ.get("WAITROOM_VAR_DIR", BASE_DIR / "var")) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


VAR_DIR = Path(os.environ.get("WAITROOM_VAR_DIR", BASE_DIR / "var"))
SECRET_KEY = secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "csp",
    "waitroom",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "audit",
    "clinics",
    "accounts",
    "waiting",
    "messaging",
    "calls",
    "reports",
    "integrations",
    "realtime",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, which answers static files itself: everything else is
    # the app's, and may carry patient data (waitroom/headers.py).
    "waitroom.headers.PrivateResponsesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.sessions.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.ClinicRequiresTwoFactorsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that its lockout page still passes through the headers above.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "waitroom.urls"
ASGI_APPLICATION = "waitroom.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.sessions.context.staff_session",
                "clinics.context.clinics_of_the_person",
            ],
        },
    },
]

# SQLite by default: one file, WAL so readers never wait for the writer, a busy
# timeout instead of "database is locked", and IMMEDIATE transactions so a
# transaction that will write takes the write lock up front rather than failing
# when it upgrades from a read.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'waitroom.sqlite3'}",
        # Kept open between requests and socket events: opening a PostgreSQL
        # connection costs far more than the queries of a page's connect.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Server tuning: the writers of one process wait their turn in line, not in
    # SQLite's busy sleeps, and commits leave the checkpoints to a thread of
    # their own (waitroom/server/sqlite/base.py).
    if env_bool("WAITROOM_TUNED_SQLITE", True):
        DATABASES["default"]["ENGINE"] = "waitroom.server.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Browser tests serve the app from a second process: both must see one file.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("WAITROOM_TEST_DB") or str(VAR_DIR / "test-waitroom.sqlite3")
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A pool shares connections among the threads that run requests and page
    # work (with Django's own ASGI handler, a new thread per request: its own
    # connection would never be reused).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": env_int("DB_POOL_SIZE", 20),
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Server tuning (waitroom/server/): our channel layers, which share one event
# among a process's consumers, or Channels' stock ones (false: a supported mode,
# CI runs the browser and scale-out tests in it). The tuned websocket protocol
# is chosen on uvicorn's command line (--ws); it starts the heap policy unless
# WAITROOM_TUNED_HEAP is false.
WAITROOM_TUNED_LAYERS = env_bool("WAITROOM_TUNED_LAYERS", True)
WAITROOM_TUNED_HEAP = env_bool("WAITROOM_TUNED_HEAP", True)
# HTTP requests run whole in a pool thread (waitroom/server/http.py) instead of
# crossing between Django's ASGI handler's threads and the busy event loop.
WAITROOM_TUNED_HTTP = env_bool("WAITROOM_TUNED_HTTP", True)
WAITROOM_HTTP_THREADS = env_int("WAITROOM_HTTP_THREADS", 4)
# Seconds a request may wait for one of those threads: once the oldest waiting
# request has waited this long, requests are answered 503 "try again in N s"
# at once, not left to the proxy's timeout (60 s in deploy/nginx-waitroom.conf).
WAITROOM_HTTP_QUEUE_SECONDS = env_int("WAITROOM_HTTP_QUEUE_SECONDS", 20)

# A page leaves its groups when it closes: Channels' default group expiry of a
# day would silently drop a dashboard left open overnight from its clinic's group.
GROUP_EXPIRY = 10 * 365 * 86400

# One process: the channel layer lives in memory. Several processes (or
# machines): they meet in Redis, through pub/sub (docs/deploy.md says why not
# the list-based "core" layer, which WAITROOM_CHANNEL_LAYER=core still selects).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and os.environ.get("WAITROOM_CHANNEL_LAYER", "pubsub") == "core":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "max_connections": env_int("REDIS_MAX_CONNECTIONS", 1000)}],
                "capacity": 1000,
            },
        }
    }
elif REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "waitroom.server.layers.SharedRedisPubSubLayer"
            if WAITROOM_TUNED_LAYERS
            else "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "waitroom.server.layers.LocalChannelLayer"
            if WAITROOM_TUNED_LAYERS
            else "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 1000, "group_expiry": GROUP_EXPIRY},
        }
    }

# What the processes count together (callers' entries per address and per
# clinic, each visit's message allowance: realtime/limits.py) lives in Redis
# when there is one, so that a caller cannot start afresh on another process;
# one process keeps it in memory.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "clinics:home"
LOGOUT_REDIRECT_URL = "login"

# Axes first: it refuses a locked-out sign-in before a password is checked
# (docs/accounts.md). It needs the request, so authenticate() without one fails.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failures are counted per account and per address, each on its own: one
# account attacked from many addresses, or many accounts tried from one.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Operators (the Django admin's users) must have two factors to open the admin:
# on in production (docs/deploy.md); off by default so `make run` needs no phone.
REQUIRE_2FA_FOR_OPERATORS = env_bool("REQUIRE_2FA_FOR_OPERATORS", False)
AXES_FAILURE_LIMIT = env_int("WAITROOM_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("WAITROOM_LOGIN_COOLOFF_MINUTES", 15))
# A lockout ends a fixed time after it began: tries during it are refused
# and not counted, so "try again in 15 minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success does not wipe the failures: axes would wipe every failure from the
# address too, so one valid account would reset the count of all the others.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_page"
# The audit trail records sign-ins (accounts/audit_trail.py); axes' own log of
# every success would keep addresses forever, a second time.
AXES_DISABLE_ACCESS_LOG = True
# The client's address is REMOTE_ADDR: behind the proxy, uvicorn's
# --proxy-headers (deploy/waitroom@.service) sets it from X-Forwarded-For.

# Two factors (accounts/two_factor.py): the name authenticator apps show.
OTP_TOTP_ISSUER = "Waitroom"


def webauthn_site(site_url):
    """The relying party id and origin passkeys belong to, as SITE_URL names
    them. Browsers refuse an IP address as the id: the site at 127.0.0.1 gets
    "localhost" (the same computer; passkeys work on http://localhost:PORT)."""
    url = urlsplit(site_url)
    host = url.hostname or "localhost"
    if host == "localhost" or host.replace(".", "").isdigit() or ":" in host:
        return "localhost", f"http://localhost{f':{url.port}' if url.port else ''}"
    # Plain HTTP elsewhere is no secure context: browsers offer no passkeys
    # there at all. The site's https:// origin keeps the settings valid.
    return host, f"https://{url.netloc}"


# Passkeys (django-otp-webauthn, behind accounts/passkeys.py) are a second
# factor only: a passkey alone never signs anybody in.
_rp_id, _origin = webauthn_site(SITE_URL)
OTP_WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID") or _rp_id
OTP_WEBAUTHN_RP_NAME = os.environ.get("WEBAUTHN_RP_NAME") or "Waitroom"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list("WEBAUTHN_ORIGINS", [_origin])
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# The browser asks for the passkey at most this long (the sign-in step itself
# lasts 5 minutes: accounts.views.PENDING_SECONDS).
OTP_WEBAUTHN_TIMEOUT_SECONDS = 2 * 60

# EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS/SSL or EMAIL_FILE_PATH. The console by default: `make run`
# prints the password reset mail.
globals().update(env_email("EMAIL_URL", "console://"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Waitroom <waitroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A password reset link is valid this long (Django's default is three days).
PASSWORD_RESET_TIMEOUT = 60 * 60 * env_int("WAITROOM_PASSWORD_RESET_HOURS", 2)
# A clinic admin's invitation to the team works once, for this many days
# (clinics/team.py); a clinic sends at most this many invitation mails
# (invitations and resends) in 24 hours (0: no limit).
WAITROOM_INVITATION_DAYS = env_number("WAITROOM_INVITATION_DAYS", 7)
WAITROOM_INVITATIONS_PER_DAY = env_int("WAITROOM_INVITATIONS_PER_DAY", 50)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 60 * 60 * 12  # a caller's; a staff sign-in ends sooner (below)
# A staff sign-in ends after this long without activity (requests, "Stay signed
# in"; never socket heartbeats) and this long after signing in, whatever the
# activity (accounts/sessions/limits.py).
WAITROOM_STAFF_IDLE_SECONDS = env_number("WAITROOM_STAFF_IDLE_MINUTES", 30) * 60
WAITROOM_STAFF_SESSION_SECONDS = env_number("WAITROOM_STAFF_SESSION_HOURS", 12) * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production behind TLS (docs/deploy.md): browsers come back over HTTPS only
# (HSTS), and a plain-HTTP request is sent there. SECURE_SSL_REDIRECT needs
# BEHIND_TLS_PROXY when TLS ends at the proxy, or every request redirects.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Preloading is the decision of whoever owns the whole domain (the list takes
# registrable domains, not wait.example.org): off unless they set it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Everything the pages run is a file of ours: no inline script, no third party.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Berlin")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None  # only for `collectstatic` behind a proxy
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served straight from the source folders: no collectstatic step for a clinic's IT.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# How long a caller's page may stay silent before it counts as gone. Pages send a
# heartbeat every WAITROOM_HEARTBEAT_SECONDS; a dashboard shows them Offline at
# most HEARTBEAT_TIMEOUT (+ one check) later.
WAITROOM_HEARTBEAT_SECONDS = env_int("WAITROOM_HEARTBEAT_SECONDS", 5)
WAITROOM_HEARTBEAT_TIMEOUT = env_int("WAITROOM_HEARTBEAT_TIMEOUT", 12)
# How often each process compares its caller pages with the database and sends
# what an announcement failed to bring (the channel layer is at-most-once).
WAITROOM_CATCH_UP_SECONDS = env_int("WAITROOM_CATCH_UP_SECONDS", 5)
# How often each process checks the queue positions its caller pages show
# against the database (one query per clinic; only clinics that show them).
WAITROOM_QUEUE_CHECK_SECONDS = env_int("WAITROOM_QUEUE_CHECK_SECONDS", 30)

# Floods of visits: callers' entries allowed per address (IPv6: per /64) and per
# clinic within WAITROOM_ENTRIES_MINUTES (0: no limit). A clinic's callers come
# from many homes; a burst from one connection is a program.
WAITROOM_ENTRIES_PER_ADDRESS = env_int("WAITROOM_ENTRIES_PER_ADDRESS", 20)
WAITROOM_ENTRIES_PER_CLINIC = env_int("WAITROOM_ENTRIES_PER_CLINIC", 600)
WAITROOM_ENTRIES_MINUTES = env_int("WAITROOM_ENTRIES_MINUTES", 10)

# The REST API (docs/api.md): requests of one API key a minute, and of these
# notifications (each one message to one or many callers); 0: no limit.
WAITROOM_API_REQUESTS_PER_MINUTE = env_int("WAITROOM_API_REQUESTS_PER_MINUTE", 120)
WAITROOM_API_NOTIFY_PER_MINUTE = env_int("WAITROOM_API_NOTIFY_PER_MINUTE", 30)

# Password-reset mails: at most this many per mailbox, and requests per
# address, each hour (0: no limit). Past them the page answers as always and
# sends nothing (docs/accounts.md): nobody can flood a colleague's mailbox.
WAITROOM_RESET_MAILS_PER_MAILBOX = env_int("WAITROOM_RESET_MAILS_PER_MAILBOX", 3)
WAITROOM_RESET_REQUESTS_PER_ADDRESS = env_int("WAITROOM_RESET_REQUESTS_PER_ADDRESS", 20)

# STUN/TURN servers handed to the browsers, as RTCPeerConnection's iceServers
# (docs/deploy.md has a coturn example). None: the calls work on one network.
WAITROOM_ICE_SERVERS = env_json("WAITROOM_ICE_SERVERS", [])
if not isinstance(WAITROOM_ICE_SERVERS, list) or not all(
    isinstance(s, dict) and "urls" in s for s in WAITROOM_ICE_SERVERS
):
    raise ImproperlyConfigured('WAITROOM_ICE_SERVERS is a JSON list of {"urls": ..., "username"?, "credential"?}')
# coturn's static-auth-secret: TURN servers above without a username get
# short-lived credentials made from it for each page (calls/ice.py).
WAITROOM_TURN_SECRET = os.environ.get("WAITROOM_TURN_SECRET", "")

# Webhooks (docs/webhooks.md): plain http:// endpoints only where DEBUG or this
# allows them; deliveries to loopback and private addresses only where
# WAITROOM_WEBHOOKS_ALLOW_PRIVATE allows them (a practice system on the clinic's
# own network, or tests); delivered and failed deliveries are kept this many days.
WAITROOM_WEBHOOKS_ALLOW_HTTP = env_bool("WAITROOM_WEBHOOKS_ALLOW_HTTP", False)
WAITROOM_WEBHOOKS_ALLOW_PRIVATE = env_bool("WAITROOM_WEBHOOKS_ALLOW_PRIVATE", False)
WAITROOM_WEBHOOKS_KEEP_DAYS = env_int("WAITROOM_WEBHOOKS_KEEP_DAYS", 7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_socket_lines": {"()": "waitroom.logs.NoSocketLines"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # No line names a caller's socket or request: uvicorn's handshake lines
        # (address, clinic, time: waitroom/logs.py) are dropped, and its access
        # log is off however the server was started (--no-access-log or not).
        "uvicorn.error": {"filters": ["no_socket_lines"]},
        "uvicorn.access": {"level": "WARNING"},
        # Whitenoise under ASGI warns that it serves files with a sync iterator; it
        # serves them correctly, and the warning would bury real ones.
        "django.request": {"level": "ERROR"},
        # axes logs every sign-in at INFO; the audit trail is the record of them.
        "axes": {"level": "WARNING"},
    },
}
