"""Booking holds: a booking holds its place until the one-time code e-mailed to the applicant is
typed in the chat (holds), the two e-mails (letters), and the booking form's code step (chat)."""
