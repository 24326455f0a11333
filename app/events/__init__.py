"""The lowest domain floor: the event table, its hash chain and the publish/subscribe registry."""
