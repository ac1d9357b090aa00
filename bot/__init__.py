"""supportbot core: conversation engine, domain model, handoff, scheduling, config, CLI."""
