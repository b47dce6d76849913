"""Training: the SFT run (TRL SFTTrainer, answer-letter loss), the PPO run (its math, learner and loop), and what
the trainers share (flags, checkpoints, run logs, Ctrl+C)."""
