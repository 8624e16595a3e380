PUBLIC_PREFIXES = ("/api/v1/", "/api/shop/")
HIDDEN_PREFIXES = ("/api/shop/admin/",)  # oscar-api's admin endpoints, blocked by settings


def only_public_api(endpoints):
    """drf-spectacular preprocessing hook: describe the API the Astro site uses, nothing else."""
    return [
        endpoint
        for endpoint in endpoints
        if endpoint[0].startswith(PUBLIC_PREFIXES) and not endpoint[0].startswith(HIDDEN_PREFIXES)
    ]


# An integer field's bounds in the schema are the database's column range (Django's
# ``integer_field_range``): int32 on PostgreSQL, int64 on SQLite. They say nothing about the API
# and would make the document differ between the demo and production, so they are left out.
DATABASE_RANGES = {2147483647, -2147483648, 9223372036854775807, -9223372036854775808}


def without_database_ranges(result, generator, request, public):
    """drf-spectacular postprocessing hook: the same document whichever database is configured."""

    def strip(node):
        if isinstance(node, dict):
            if node.get("type") == "integer":
                bounds = [key for key in ("minimum", "maximum") if node.get(key) in DATABASE_RANGES]
                for key in bounds:
                    del node[key]
                if bounds and node.get("format") == "int64":
                    del node["format"]
            for value in node.values():
                strip(value)
        elif isinstance(node, list):
            for value in node:
                strip(value)

    strip(result)
    return result
