"""The ASGI application serves HTTP and the live WebSocket route."""

from __future__ import annotations

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator

from portal.asgi import application


@pytest.mark.django_db(transaction=True)
async def test_a_websocket_client_connects_to_the_city_feed() -> None:
    communicator = WebsocketCommunicator(
        application,
        "/ws/sensors/",
        headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")],
    )
    connected, _subprotocol = await communicator.connect()
    assert connected
    first = await communicator.receive_json_from(timeout=5)
    assert first["type"] == "snapshot"
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_websocket_from_a_foreign_origin_is_refused() -> None:
    communicator = WebsocketCommunicator(
        application,
        "/ws/sensors/",
        headers=[(b"origin", b"http://evil.example"), (b"host", b"localhost")],
    )
    connected, _subprotocol = await communicator.connect()
    assert not connected


@pytest.mark.django_db(transaction=True)
async def test_a_client_that_is_not_a_browser_connects_without_an_origin() -> None:
    communicator = WebsocketCommunicator(
        application, "/ws/sensors/", headers=[(b"host", b"localhost")]
    )
    connected, _subprotocol = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "snapshot"
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_http_goes_to_django() -> None:
    communicator = HttpCommunicator(application, "GET", "/api/", headers=[(b"host", b"localhost")])
    response = await communicator.get_response()
    assert response["status"] == 200
