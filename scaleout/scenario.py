"""Running a scenario of pages against real server processes from a test.
The pages and the staff member are testkit.live's."""

import asyncio
import concurrent.futures

from django.db import connection


def run(scenario):
    """Run an async scenario to its end, in a thread of its own: the browser
    tests' Playwright keeps an event loop in the main thread."""

    def main():
        try:
            return asyncio.run(scenario())
        finally:
            connection.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(main).result()


async def in_thread(function, *args, **kwargs):
    """Run an action off the event loop, closing the thread's database connection after."""

    def run():
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    return await asyncio.to_thread(run)


async def until(condition, timeout=30, what="condition"):
    """Wait for a condition on the pages (polling: the pages are the test's own)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
