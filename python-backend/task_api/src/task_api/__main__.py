"""``python -m task_api``: serve the app with uvicorn on ``HOST``:``PORT`` (default 127.0.0.1:8000).

The container image runs this, so its port follows ``PORT`` like the other two services.
"""

from __future__ import annotations

import os

import uvicorn


def main() -> None:
    uvicorn.run(
        "task_api.main:app",
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8000")),
        proxy_headers=True,
        access_log=False,
    )


if __name__ == "__main__":
    main()
