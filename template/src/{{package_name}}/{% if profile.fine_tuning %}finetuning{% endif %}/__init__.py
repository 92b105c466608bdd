"""LoRA fine-tuning of the self-hosted model: `python -m <package> finetune` (docs/fine-tuning.md).

torch, transformers and peft come from the `finetune` dependency group and are imported only when
the command trains, so the service and every other command run without them.
"""
