"""coursekit: turn safety advice written in YAML into a complete awareness course."""

__version__ = "0.1.0"
