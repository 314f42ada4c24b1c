"""The local web server: the overlay page (and later the console), over HTTP and WebSocket."""
