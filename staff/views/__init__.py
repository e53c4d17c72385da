"""Staff views: thin. Validate the request, call one service or selector, render."""
