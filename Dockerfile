# Copsite: one image for web (gunicorn), worker and beat. See docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH" \
    DEBUG=false

RUN pip install --no-cache-dir uv \
    && useradd --create-home --uid 1000 copsite

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml uv.lock ./
# Bytecode compiled once here: with PYTHONDONTWRITEBYTECODE every process would otherwise
# compile every module it imports, on every start.
RUN uv sync --frozen --no-dev --no-install-project --compile-bytecode

COPY --chown=copsite:copsite . .
# collectstatic needs settings to load; this throwaway key exists only during the build.
RUN SECRET_KEY=build-only-key-collectstatic-does-not-sign-anything-000000 \
    python manage.py collectstatic --noinput \
    && python -m compileall -q -x '(^|/)\.' /app \
    && mkdir -p /app/var/media && chown -R copsite:copsite /app/var

USER copsite
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"

# --preload: the app is imported (and its memory frozen for the collector) once, before the
# workers fork; see copsite/wsgi.py.
CMD ["gunicorn", "copsite.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--preload", "--access-logfile", "-"]
