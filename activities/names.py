"""Activity names: all the workflows know of the activities (they live in another layer)."""

SEND_NOTICE = "send_notice"
BOOK_SUBSTITUTE = "book_substitute"
