"""Use cases around the guessing limits of identity checks: staff lifting a case's lock at the hall."""
