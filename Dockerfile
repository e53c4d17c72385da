# The tracker's web image; the same image runs the Celery worker and beat (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system tracker \
    && useradd --system --gid tracker --no-create-home --home-dir /app --shell /usr/sbin/nologin tracker

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Collected with DEBUG off so the hashed file names match what production serves.
# No database or broker is touched here, so the embedded defaults are asked for explicitly.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-a-secret EMBEDDED_DATABASE=true EMBEDDED_TASKS=true \
    python manage.py collectstatic --no-input

# The code stays owned by root: the application cannot modify itself.
USER tracker

EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "-c", "config/gunicorn.conf.py"]
