"""What following a full revocation feed costs a Python verifier in memory: the bytes
``tracemalloc`` sees still allocated after ``warm()`` fetched and parsed the list at
REVOCATION_URL (the HTTP client's own buffers excluded by closing it first). Prints
``{"bytes": n}`` on its last line."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import tracemalloc

from authbridge.revocations import RevocationCache


async def main() -> None:
    cache = RevocationCache(os.environ["REVOCATION_URL"])
    # The client and its connection pool exist before the measurement starts.
    await cache.warm()
    await cache.aclose()
    cache = RevocationCache(os.environ["REVOCATION_URL"])
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    if not await cache.warm():
        raise SystemExit(f"no list: {cache.last_error}")
    await cache.aclose()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    print(json.dumps({"bytes": after - before}))


asyncio.run(main())
