"""docker-compose.yml names only files and folders that exist here, and a cache the test user can write.

(No Docker daemon where CI runs: this reads the file instead of building it.)
"""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
EXTRA_ADDONS = "/mnt/extra-addons"


def services():
    return COMPOSE["services"].items()


def test_build_context_and_dockerfile_exist():
    for _name, service in services():
        build = service.get("build")
        if build:
            assert (ROOT / build["context"]).is_dir()
            assert (ROOT / build["context"] / build["dockerfile"]).is_file()


def test_mounted_host_paths_exist():
    for name, service in services():
        for volume in service.get("volumes", []):
            host = volume.split(":")[0]
            if host.startswith("."):
                assert (ROOT / host).exists(), f"{name}: {host}"


def test_commands_name_files_that_exist():
    for name, service in services():
        command = service.get("command") or service.get("entrypoint") or []
        words = command.split() if isinstance(command, str) else command
        for word in words:
            if word.startswith(EXTRA_ADDONS + "/"):
                assert (ROOT / "addons" / word[len(EXTRA_ADDONS) + 1 :]).is_file(), f"{name}: {word}"
            elif word.endswith(".py") and not word.startswith("/"):
                assert (ROOT / word).is_file(), f"{name}: {word}"


def test_the_tests_cache_is_a_folder_the_odoo_user_owns():
    """The image runs as odoo: the cache the tests write to must be created for that user."""
    cache = COMPOSE["services"]["tests"]["environment"]["COBRANCA_CACHE"]
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert f"install -d -o odoo -g odoo {cache}" in dockerfile
    assert f"COPY requirements.txt requirements-dev.txt {cache}" not in dockerfile, "a root-owned copy"


def test_the_sandbox_reaches_odoo_by_its_service_name_and_registers_the_webhook():
    """Inside the psp container, localhost is the sandbox itself: webhooks must go to the odoo service."""
    psp = COMPOSE["services"]["psp"]
    command = psp["command"]
    assert "--odoo-url http://odoo:8069" in command
    assert "--webhook-from-db" in command and "dbname=cobranca_demo" in command
    assert "dbname=cobranca_demo" in " ".join(COMPOSE["services"]["odoo-init"]["command"].split()[:3]).replace(
        "-d ", "dbname="
    )
    assert "db" in psp["depends_on"]
