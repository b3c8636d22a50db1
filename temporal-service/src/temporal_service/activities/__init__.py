"""Activities of the workflows and the platform operations they use."""

from . import platform
from .deployment import DeploymentActivities
from .platform import *  # noqa: F403  (the platform operations: platform.__all__)

__all__ = ["DeploymentActivities", *platform.__all__]
