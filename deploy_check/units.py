"""The systemd units of deploy/, read as systemd reads them (the parts they
use): sections of `Key=value` lines, repeatable keys, `\\` continuing a line,
`%i` the instance, `${NAME}` a variable of Environment= or EnvironmentFile=.
And the environment file itself, as systemd's EnvironmentFile= reads it."""

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
APP_DIR = "/srv/waitroom/app"  # where the units expect the checkout (and its .venv)
ENV_FILE = "/etc/waitroom/env"


class Unit:
    def __init__(self, path):
        self.path = Path(path)
        self.name = self.path.name
        self.sections = {}
        section = None
        for line in re.sub(r"\\\n", " ", self.path.read_text()).splitlines():
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("[") and line.endswith("]"):
                section = self.sections.setdefault(line[1:-1], [])
            else:
                key, sep, value = line.partition("=")
                assert sep and section is not None, f"{self.name}: not a unit line: {line!r}"
                section.append((key.strip(), value.strip()))

    def all(self, section, key):
        return [v for k, v in self.sections.get(section, []) if k == key]

    def get(self, section, key):
        values = self.all(section, key)
        return values[-1] if values else None

    def environment(self):
        """The variables Environment= sets (the environment file may override them)."""
        env = {}
        for line in self.all("Service", "Environment"):
            for word in shlex.split(line):
                name, _, value = word.partition("=")
                env[name] = value
        return env

    def command(self, instance="", env=None):
        """ExecStart as argv, with %i and ${NAME} filled in from Environment= and then `env`."""
        variables = {**self.environment(), **(env or {})}
        line = self.get("Service", "ExecStart").replace("%i", instance)
        missing = [name for name in re.findall(r"\$\{(\w+)\}", line) if name not in variables]
        assert not missing, f"{self.name}: ExecStart uses {missing} with no Environment= default"
        return shlex.split(re.sub(r"\$\{(\w+)\}", lambda m: variables[m.group(1)], line))


def units(pattern="*"):
    return [Unit(p) for p in sorted(DEPLOY.glob(pattern)) if p.suffix in (".service", ".timer")]


def read_environment_file(text):
    """KEY=value lines as systemd's EnvironmentFile= reads them. Stricter in
    one way: an unquoted value with a space in it is refused, since systemd
    would keep it whole (a `# comment` after a value becomes part of it)."""
    env = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        name, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"line {number}: not NAME=value: {line!r}")
        if value[:1] in ("'", '"'):
            if len(value) < 2 or value[-1] != value[0]:
                raise ValueError(f"line {number}: unclosed quote: {line!r}")
            value = value[1:-1]
        elif re.search(r"\s", value):
            raise ValueError(f"line {number}: a space in an unquoted value (a comment after it?): {line!r}")
        env[name] = value
    return env


def documented_environment_file():
    """The text of the sh block under "## Environment" in docs/deploy.md: what
    goes into /etc/waitroom/env."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    return re.search(r"## Environment\n.*?```sh\n(.*?)```", text, re.S).group(1)
