"""What the web app does to every request and response, whatever the route: security headers and a body size cap."""
