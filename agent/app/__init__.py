"""The composition wing: everything that builds and runs. Settings in, services constructed and wired (here
and nowhere else), the show run, taken apart again; the CLI and its commands, rehearsals and the eval.

Nothing below this package imports it (tests/core/test_layers.py checks).
"""
