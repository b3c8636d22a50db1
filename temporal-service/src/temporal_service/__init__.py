"""temporal_service."""

__all__: list[str] = []
