# Carillon in a container: slim, runs as an unprivileged user, state in the /data volume.
# The Opus codec comes inside the PyAV wheel, so the image needs no system packages.
#   docker build -t carillon .
#   docker run -d --name carillon -e CARILLON_TOKEN=... -v carillon-data:/data carillon

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install --no-cache-dir --root-user-action=ignore --prefix=/install .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CARILLON_HEARTBEAT_FILE=/tmp/carillon-heartbeat
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin carillon \
    && mkdir -p /data /etc/carillon \
    && chown carillon:carillon /data
COPY --from=build /install /usr/local
COPY deploy/config.docker.toml /etc/carillon/config.toml
USER carillon
WORKDIR /data
VOLUME ["/data"]
STOPSIGNAL SIGTERM
# Healthy while the bot is connected to Discord: it touches the heartbeat file every 20 s.
# The file lives in the container's own /tmp, not the shared /data volume: containers scaled
# with `docker compose up --scale bot=3` each report their own process, not the freshest one.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot.heartbeat"]
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run", "--config", "/etc/carillon/config.toml"]
