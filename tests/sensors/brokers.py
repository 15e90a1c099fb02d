"""Mosquitto for the MQTT tests: brokers of their own from the project's configuration, and
subscribers that leave nothing behind on a shared broker."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from sensors.mqtt import MqttIngest

ROOT = Path(__file__).resolve().parents[2]
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def wait_for(condition: Callable[[], object], *, attempts: int = 200) -> bool:
    for _ in range(attempts):
        if condition():
            return True
        time.sleep(0.05)
    return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def broker_config(directory: Path, port: int) -> Path:
    """deploy/mosquitto.conf, listening on `port` and persisting into `directory`."""
    kept = [
        line
        for line in (ROOT / "deploy" / "mosquitto.conf").read_text().splitlines()
        if not line.startswith(("listener", "persistence_location", "user", "log_dest"))
    ]
    config = directory / "mosquitto.conf"
    # The test runs as whoever runs it, root in CI, and the directory is that user's.
    user = pwd.getpwuid(os.getuid()).pw_name
    config.write_text(
        "\n".join(
            [
                *kept,
                f"listener {port} 127.0.0.1",
                f"persistence_location {directory}/",
                f"user {user}",
                "log_dest stderr",
                "",
            ]
        )
    )
    return config


def start_broker(directory: Path, port: int) -> subprocess.Popen[bytes]:
    """A broker of the test's own, so that restarting or flooding it disturbs no other test."""
    broker = subprocess.Popen(  # noqa: S603 - a fixed program on a local port.
        [MOSQUITTO, "-c", str(broker_config(directory, port))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def listening() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    assert wait_for(listening)
    return broker


def forget_session(url: str, client_id: str) -> None:
    """End a persistent session, so that the broker keeps no queue or subscription for it."""
    parts = urlsplit(url)
    cleaner = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    cleaner.connect(parts.hostname or "127.0.0.1", parts.port or 1883)
    cleaner.disconnect()


def isolated_ingest(url: str) -> MqttIngest:
    """A subscriber in a shared group of its own: other test runs on the same broker, and the
    sessions they leave, never take a share of this test's messages."""
    return MqttIngest(
        url=url, client_id=f"test-ingest-{uuid.uuid4()}", group=f"test-{uuid.uuid4()}"
    )
