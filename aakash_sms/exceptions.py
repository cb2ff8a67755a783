"""A :class:`~odoo.exceptions.UserError` whose dialog is titled for what happened.

Odoo titles every ``UserError`` dialog "Invalid Operation"; this one carries its
title (translated by the caller) to the dialog of
``static/src/js/titled_error_dialog.js``, registered for :data:`DIALOG`.
"""

from odoo.exceptions import UserError

# the error dialog's key (Odoo's error handler reads it from the error's context)
DIALOG = "aakash_sms.titled_user_error"


class TitledUserError(UserError):
    """A user error with a dialog title: ``TitledUserError(message, title)``."""

    def __init__(self, message, title):
        super().__init__(message)
        self.title = title
        self.context = {"exception_class": DIALOG, "title": title}
