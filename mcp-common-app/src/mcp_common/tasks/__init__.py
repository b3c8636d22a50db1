"""Long-running tools as MCP tasks (SEP-2663): the extension, its wire shapes, `TaskStore`,
the in-process store (`BackgroundTaskStore`, its `TaskRecords` in Redis or memory) and what
a tool reports while it runs (`report_progress`, `report_backend_job`, `point_of_no_return`).

The public face is what each module lists in its `__all__` (one list per module).
"""

from mcp_common.tasks._background import *  # noqa: F403
from mcp_common.tasks._extension import *  # noqa: F403
from mcp_common.tasks._memory_records import *  # noqa: F403
from mcp_common.tasks._progress import *  # noqa: F403
from mcp_common.tasks._records import *  # noqa: F403
from mcp_common.tasks._redis_records import *  # noqa: F403
from mcp_common.tasks._store import *  # noqa: F403
from mcp_common.tasks._wire import *  # noqa: F403
