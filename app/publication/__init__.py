"""Publication of answered items: the sender's separate, withdrawable consent, the officer's review (an edited copy
without personal details), the public listing read by /cong-khai, the API and Open311."""
