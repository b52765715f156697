"""The portal run as a newcomer or an operator runs it: the `portal` command in a process of its
own, on a free port of 127.0.0.1, spoken to over HTTP."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PORTAL = str(Path(sys.executable).parent / "portal")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environment(instance: Path, **settings: str) -> dict[str, str]:
    """This process's environment without any PORTAL_ setting, then ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env["PORTAL_INSTANCE_PATH"] = str(instance)
    return {**env, **settings}


@contextmanager
def portal_process(args: list[str], env: dict[str, str], port: int) -> Iterator[subprocess.Popen]:
    """Runs ``portal ARGS`` until it answers on ``port``; stops it afterwards. Its output is
    read from ``process.output`` once the block is over."""
    server = subprocess.Popen(
        [PORTAL, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/salud", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, f"portal {args[0]} did not answer in 60 s"
                time.sleep(0.3)
        yield server
    finally:
        server.terminate()
        server.output = server.communicate(timeout=20)[0].decode()  # type: ignore[attr-defined]


def browser() -> urllib.request.OpenerDirector:
    """A client that keeps its cookies, like one browser."""
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor())


def submit(client: urllib.request.OpenerDirector, url: str, data: dict[str, str]) -> int:
    """Opens the form's page, sends it with its token, and answers the status."""
    with client.open(url, timeout=10) as answer:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', answer.read().decode())
    assert token, url
    body = urllib.parse.urlencode({**data, "csrf_token": token[1]}).encode()
    try:
        with client.open(url, body, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code
