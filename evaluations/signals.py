"""What the evaluations app announces to the interface apps (which it never imports).

`publication_made` is sent once a publication (first or correction) is committed, with
`publication_id`, `stage_id` and `is_correction`. Receivers (e.g. the API's webhooks) read
what they need through the publication selectors.
"""

from django.dispatch import Signal

publication_made = Signal()
