"""The training model: XTuner model class, third-party patches, the grouped MoE block (``moe``,
``grouped_mm``), packed attention (``attention``), ZeRO-3, optimizer wrapper, chat hook, child
recipes (``recipe``), config overrides and dumps, the per-iteration records of a run's log
(``mmengine_log``) and their loss curves (``loss_plot``)."""
