"""Fixtures for the sensor tests: devices in and out of a pilot, and a fresh channel layer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from channels.layers import channel_layers

from pilots.models import Pilot
from sensors.models import Device
from tests.sensors.factories import DeviceFactory

if TYPE_CHECKING:
    from asgiref.typing import ASGI3Application, ASGIReceiveCallable, ASGISendCallable, Scope
    from django.contrib.auth.models import AnonymousUser

    from portal.models import User

    AsUser = Callable[[User | AnonymousUser], ASGI3Application]


@pytest.fixture(autouse=True)
def _fresh_channel_layer() -> Iterator[None]:
    """Each test gets its own channel layer, so no group or message outlives the test."""
    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


@pytest.fixture
def public_device(db: None) -> Device:
    device: Device = DeviceFactory.create(name="gangnam-gu-air-quality-public")
    return device


@pytest.fixture
def private_device(db: None, pilot: Pilot) -> Device:
    """A device private to `pilot`, which `manager` manages."""
    device: Device = DeviceFactory.create(
        name="gangnam-gu-air-quality-private",
        pilot=pilot,
        visibility=Device.Visibility.PRIVATE,
    )
    return device


@pytest.fixture
def as_user() -> AsUser:
    """Wraps the WebSocket routes in an app that runs them as the given user."""
    from channels.routing import URLRouter

    from sensors.live.routing import websocket_urlpatterns

    router = URLRouter(websocket_urlpatterns)

    def build(user: User | AnonymousUser) -> ASGI3Application:
        async def app(scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
            await router({**scope, "user": user}, receive, send)

        return app

    return build


@pytest.fixture
def device_token(public_device: Device) -> str:
    """A fresh token of `public_device`."""
    from sensors.services.credentials import device_credential_issue

    _credential, token = device_credential_issue(device=public_device)
    return token
