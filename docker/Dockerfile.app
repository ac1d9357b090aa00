# The supportbot app (Python 3.11): every webhook, the web-chat widget and the agent console.
# Build from the repository root:  docker build -f docker/Dockerfile.app -t supportbot-app .
FROM python:3.11-slim

# MALLOC_ARENA_MAX: glibc gives each thread that allocates (the database driver's connection
# threads, the executor) an arena of its own, up to 8 per core, and freed memory stays
# spread over them; two arenas kept the app 30-40 MB smaller under bench/load.py.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    MALLOC_ARENA_MAX=2

WORKDIR /app

# Dependencies first (from pyproject.toml only), so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

# The code and the files it reads next to it (knowledge base, bot texts, migrations, static
# files). Installed in editable mode so those paths resolve under /app.
COPY bot ./bot
COPY nlu ./nlu
COPY channels ./channels
COPY actions ./actions
COPY console ./console
COPY wiring ./wiring
COPY cli ./cli
COPY kb_articles ./kb_articles
RUN pip install --no-deps -e . \
    && useradd --system --uid 10001 --home-dir /app supportbot

USER supportbot
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]

# The NLU service and the migrations are separate services in docker/compose.yml.
CMD ["supportbot", "run", "--host", "0.0.0.0", "--no-start-nlu", "--no-migrate"]
