"""What the tests share: the stand-in Hub, the CLI runner, report schemas and scan helpers."""
