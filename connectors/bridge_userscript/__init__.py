"""The browser side of the bridge: a userscript and a Playwright forwarder that runs it in Chromium."""
