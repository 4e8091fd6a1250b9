"""The training model: XTuner model class, third-party patches, ZeRO-3, optimizer wrapper, chat hook, config overrides."""
