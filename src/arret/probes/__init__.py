"""Compliance probing: what each resolver answers for the names the registry
blocks, has stopped blocking, or never blocked. `verdict` judges one answer (pure);
`runner` asks the questions (the network side)."""
