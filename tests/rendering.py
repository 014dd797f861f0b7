"""Whether a response was rendered: the stored visitors' pages are answered without their view."""


def rendered(response) -> bool:
    """True when a template was rendered for `response` (the test client records them)."""
    return bool(response.templates)
