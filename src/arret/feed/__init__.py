"""The DNS side of the feed: serving zones, transfers, NOTIFY."""
