"""Reaching every village (issue 13): commune assistants who submit on behalf of villagers, urgency, the place of
an item (village, a point with its accuracy), voice messages with their transcripts, source tags of QR posters.

Sits between the listeners and the item core (`app.notifications > app.reach > app.submissions`): it creates items
through `app.submissions.service` and keeps what it adds in tables of its own, one row per item."""
