"""The agent console: login, the live queue, conversations, callbacks and supervision,
served by the same aiohttp app under `/console` (`console.web.add_console`)."""
