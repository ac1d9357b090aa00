"""Starting the real `supportbot run` as a separate process in tests."""

from __future__ import annotations

import asyncio
import sys

import aiohttp


async def start_app(env: dict[str, str], port: int,
                    workers: int = 1) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli", "run", "--port", str(port), "--workers", str(workers),
        env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    process.kill()
    raise AssertionError("the app did not start within 60 s")
