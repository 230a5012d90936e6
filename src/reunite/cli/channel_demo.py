"""Three installations on one machine: two parties and a mediator, each its own process,
database (SQLite in its own directory) and key directory, talking over loopback HTTP.

``reunite demo-channel`` uses this to start the demo; the end-to-end tests use it to
start the same three installations. Keys are unlocked by a key file in each
installation's directory (mode 0600); in a real deployment each party keeps its keys on
its own machine (docs/deployment.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ASKING, ASKED, MEDIATOR = "UA-NIB", "RU-CRO", "MEDIATOR"
DEFAULT_PORTS = {ASKING: 8101, ASKED: 8102, MEDIATOR: 8103}
# What ``reunite demo-party`` creates (reunite.demo.channel), to print before Django starts.
LOGINS = {
    ASKING: ("ua-caseworker", "ua-verifier", "ua-admin"),
    ASKED: ("ru-caseworker", "ru-verifier", "ru-admin"),
    MEDIATOR: ("med-coordinator", "med-auditor"),
}
DEMO_PASSWORD = "demo-reunite-2026"  # noqa: S105 - synthetic demo accounts only


@dataclass
class Installation:
    """One installation: its id, port and directory, and how to run its ``reunite``."""

    installation_id: str
    port: int
    directory: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    server: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def card(self) -> Path:
        return self.directory / f"{self.installation_id}.card.json"

    def env(self, **more: str) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        env.pop("REUNITE_KEY_PASSPHRASE", None)
        env.update(
            {
                "REUNITE_VAR_DIR": str(self.directory / "var"),
                "REUNITE_KEY_DIR": str(self.directory / "keys"),
                "REUNITE_KEY_FILE": str(self.directory / "channel.secret"),
                "REUNITE_DEBUG": "1",
                "REUNITE_SYNC_ATTEMPTS": "2",
                "REUNITE_SYNC_TIMEOUT": "20",
                "DJANGO_SETTINGS_MODULE": "reunite.config.settings",
            }
        )
        env.update(self.extra_env)
        env.update(more)
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "reunite.cli.main", *args]

    def run(
        self,
        *args: str,
        check: bool = True,
        env: dict[str, str] | None = None,
        timeout: float = 600,
    ) -> subprocess.CompletedProcess[str]:
        """Run one ``reunite`` command in this installation; raise with its output if it fails."""
        result = subprocess.run(  # noqa: S603 - our own command line
            self.command(*args),
            env=env or self.env(),
            capture_output=True,
            text=True,
            cwd=self.directory,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"[{self.installation_id}] reunite {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)

    def start(self, log: Path | None = None) -> None:
        """Start ``reunite serve`` on the port and wait until it answers."""
        handle = open(log or self.directory / "serve.log", "ab")
        self.server = subprocess.Popen(  # noqa: S603
            self.command("serve", "--host", "127.0.0.1", "--port", str(self.port)),
            env=self.env(),
            cwd=self.directory,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"{self.installation_id} stopped: see {handle.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):  # noqa: S310
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise RuntimeError(f"{self.installation_id} did not start on port {self.port}")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        self.server = None


def fingerprint_of_card(card: Path) -> str:
    from reunite.channel import SignedCard

    return SignedCard.from_bytes(card.read_bytes()).peer.fingerprint


def prepare(
    base: Path,
    ports: dict[str, int] | None = None,
    *,
    seed: int = 7,
    children: int = 60,
    enquiries: int = 24,
    with_urls: bool = True,
) -> dict[str, Installation]:
    """Create the three installations: data, keys, and each one's peers (trusted).

    The fingerprints are read from the cards here; in real life each operator reads theirs
    to the others by phone or in person before trusting.
    """
    ports = ports or DEFAULT_PORTS
    installations = {}
    for installation_id in (ASKING, ASKED, MEDIATOR):
        directory = base / installation_id
        directory.mkdir(parents=True, exist_ok=True)
        inst = Installation(installation_id, ports[installation_id], directory)
        inst.run("migrate")
        inst.run(
            "demo-party",
            installation_id,
            "--seed",
            str(seed),
            "--children",
            str(children),
            "--enquiries",
            str(enquiries),
        )
        url_args = ["--url", inst.url] if with_urls else []
        inst.run("peers", "init", installation_id, *url_args, "--card", str(inst.card))
        installations[installation_id] = inst
    a, b, m = installations[ASKING], installations[ASKED], installations[MEDIATOR]

    def add(to: Installation, peer: Installation, *extra: str) -> None:
        to.run(
            "peers", "add", str(peer.card), "--fingerprint", fingerprint_of_card(peer.card), *extra
        )

    add(a, m, "--role", "mediator")
    add(a, b, "--via", MEDIATOR)
    add(b, m, "--role", "mediator")
    add(b, a, "--via", MEDIATOR)
    add(m, a)
    add(m, b)
    return installations
