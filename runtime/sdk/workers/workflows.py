"""Workflow-specific classes of the workers module."""


class NonRetryableError(Exception):
    """Raised in a step to fail it at once, without the configured retries."""
