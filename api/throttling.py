from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousThrottle(AnonRateThrottle):
    """Anonymous clients, per address: `API_ANON_RATE` (e.g. "600/min"). Staff tokens are not
    throttled. Over the rate: 429 with Retry-After (api/errors.py)."""

    def get_rate(self) -> str:
        return str(settings.API_ANON_RATE)
