"""A pilot's area must be a closed polygon inside Seoul; anything else gets a clear message."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from pilots.area import validate_pilot_area

SQUARE = [[127.02, 37.49], [127.04, 37.49], [127.04, 37.51], [127.02, 37.51], [127.02, 37.49]]


def test_it_accepts_a_closed_polygon_in_seoul_and_an_empty_area() -> None:
    validate_pilot_area({"type": "Polygon", "coordinates": [SQUARE]})
    validate_pilot_area({"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]})
    validate_pilot_area({})


def test_it_refuses_an_open_ring() -> None:
    with pytest.raises(ValidationError, match="not closed"):
        validate_pilot_area({"type": "Polygon", "coordinates": [SQUARE[:-1]]})


def test_it_refuses_a_polygon_outside_seoul() -> None:
    busan = [[129.0, 35.1], [129.1, 35.1], [129.1, 35.2], [129.0, 35.1]]
    with pytest.raises(ValidationError, match="outside Seoul"):
        validate_pilot_area({"type": "Polygon", "coordinates": [busan]})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"type": "Point", "coordinates": [127.0, 37.5]}, "Polygon or MultiPolygon"),
        ({"type": "Feature", "geometry": {}}, "not a Feature"),
        ({"type": "Polygon", "coordinates": [[[127.0, 37.5], [127.0, 37.5]]]}, "three corners"),
        ({"type": "Polygon", "coordinates": [[["a", "b"]] * 4]}, "longitude, latitude"),
        ([1, 2], "GeoJSON object"),
    ],
)
def test_it_explains_what_is_wrong_with_other_shapes(value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_pilot_area(value)
