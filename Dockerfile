# studybot: one process serving Slack and/or Discord, plus the scheduler.
# Build: docker build -t studybot .   Run: docker compose up (see compose.yaml and README.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY content ./content
COPY scheduler ./scheduler
RUN pip install . \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin studybot

# Never root at run time; the default SQLite file lives in the user's data directory.
USER studybot
ENV STUDYBOT_HOST=0.0.0.0 \
    STUDYBOT_PORT=3000
EXPOSE 3000

# /healthz answers where studybot serves HTTP (Slack's HTTP mode); see docs/deployment.md.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('STUDYBOT_PORT', '3000') + '/healthz', timeout=4)"

ENTRYPOINT ["studybot"]
CMD ["run"]
