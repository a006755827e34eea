"""The PSP sandbox runs on its own, as `make run` and docker compose start it (not only inside the tests)."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

FAKE_PSP = Path(__file__).resolve().parent.parent / "addons" / "collections_pix" / "tests" / "fake_psp.py"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_sandbox_starts_as_a_program_and_speaks_the_api_pix():
    port = free_port()
    # -I: isolated from this test's sys.path, exactly as `python3 fake_psp.py` from a shell.
    process = subprocess.Popen(
        [sys.executable, "-I", str(FAKE_PSP), "--port", str(port), "--client-id", "demo", "--client-secret", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, f"the sandbox exited: {process.stderr.read()}"
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/pix", timeout=2)
            except urllib.error.HTTPError as answer:
                assert answer.code == 401  # alive, and asking for a token as a PSP does
                break
            except OSError:
                assert time.monotonic() < deadline, "the sandbox did not start listening"
                time.sleep(0.2)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/oauth/token",
            data=b"grant_type=client_credentials",
            headers={"Authorization": "Basic ZGVtbzpkZW1v", "Content-Type": "application/x-www-form-urlencoded"},
        )
        token = json.loads(urllib.request.urlopen(request, timeout=5).read())
        assert token["access_token"]
    finally:
        process.terminate()
        process.wait(timeout=10)
