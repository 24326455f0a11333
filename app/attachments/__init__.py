"""Attachments: photos and documents on submissions and answers, checked by content, stored outside static/."""
