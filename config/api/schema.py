PUBLIC_PREFIXES = ("/api/v1/", "/api/shop/")
HIDDEN_PREFIXES = ("/api/shop/admin/",)  # oscar-api's admin endpoints, blocked by settings


def only_public_api(endpoints):
    """drf-spectacular preprocessing hook: describe the API the Astro site uses, nothing else."""
    return [
        endpoint
        for endpoint in endpoints
        if endpoint[0].startswith(PUBLIC_PREFIXES) and not endpoint[0].startswith(HIDDEN_PREFIXES)
    ]
