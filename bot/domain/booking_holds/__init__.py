"""Booking holds: a place kept for an e-mail confirmation code, and the limits on open bookings. Pure."""
