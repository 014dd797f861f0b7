class NameNumberConverter:
    """1 to 99 written plainly: no leading zeros, signs or other text (anything else is a 404)."""

    regex = "[1-9][0-9]?"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
