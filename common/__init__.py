"""What every stage shares: errors and atomic outputs, the command line, model loading, the MedQA / MedMCQA
readers and question format, scoring and metrics, run logs and plots, GGUF files and the llama.cpp build."""
