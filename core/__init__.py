"""The kernel: small helpers every app may import. It imports no app and has no models, so
importing it can never create a cycle between apps."""
