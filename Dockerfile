# The same service as `make run`, in a container. Static htmx is fetched from the npm registry at build time.
FROM node:20-bookworm-slim AS static
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PAKN_DATA_DIR=/data HOST=0.0.0.0 PORT=8000
WORKDIR /app
# A TrueType font with Vietnamese letters for the QR posters' PDF (PAKN_POSTER_FONT); PyICU (Vietnamese collation)
# compiles against ICU.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core libicu-dev pkg-config g++ \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml constraints.txt alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
# Editable install: templates, static files and migrations are read from /app, next to the package.
RUN pip install --no-cache-dir -c constraints.txt -e .
COPY --from=static /src/node_modules/htmx.org/dist/htmx.min.js ./static/vendor/htmx.min.js
COPY --from=static /src/node_modules/swagger-ui-dist/swagger-ui-bundle.js /src/node_modules/swagger-ui-dist/swagger-ui.css \
     /src/node_modules/swagger-ui-dist/favicon-32x32.png ./static/vendor/swagger-ui/
RUN useradd --system --uid 10001 pakn && mkdir -p /data && chown pakn /data
USER pakn
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status==200 else 1)"
# Migrate and seed (idempotent), then serve with 2 workers (WORKERS overrides).
CMD ["sh", "-c", "pakn setup && exec pakn serve"]
