"""Innovation districts and their spaces, startups' organisations, calls, review and allocation."""
