"""Open311 GeoReport v2: existing city apps file and read the same reports as the site."""
