#!/bin/bash
# Device check for GRPO (issue 28): train_grpo.py --preset paper for 2 steps on the random-weight Llama-3.1-8B-shaped
# model that ../shared/tools/gpu_check/run.sh built (/tmp/m), starting from the SFT adapters it trained:
# backend hf from /tmp/sft_hf, backend unsloth from /tmp/sft_us. Run from the project root right after it:
#     bash .gpu/run.sh; bash bench/gpu_rl.sh
# It runs this working tree's train_grpo.py (committed or not) with run.sh's packages (TRL 1.15.0 etc. in /tmp/g/site,
# Unsloth in /tmp/g/usite) and appends each run's exit code, summary line (generated tokens/s, peak memory) and
# per-step figures to $OUT/gpu.txt (else /tmp/out). Knobs: GRPO_STEPS (2), GRPO_S (150 s a run), SKIP_UNSLOTH=1.
O=${OUT:-/tmp/out}; mkdir -p "$O"; G=/tmp/g
cd "$(dirname "$0")/.." || exit 3
if [ ! -d /tmp/m ] || [ ! -f "$G/data/train.jsonl" ]; then
  echo "grpo: no /tmp/m or $G/data: run 'bash .gpu/run.sh' first" | tee -a "$O/gpu.txt"; exit 3
fi
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 WANDB_MODE=disabled TOKENIZERS_PARALLELISM=false HF_DATASETS_OFFLINE=1
A="--preset paper --model /tmp/m --wandb disabled --force --max-steps ${GRPO_STEPS:-2}
   --set grpo.train_file=$G/data/train.jsonl --set grpo.num_examples=16 --set sft.validation_file=$G/data/validation.jsonl
   --set grpo.logging_steps=1 --set grpo.save_steps=1000 --set grpo.logs_dir=$O/grpo_logs"
step() { # name backend pythonpath seconds cmd...
  local n=$1 b=$2 pp=$3 s=$4; shift 4; local t=$(date +%s)
  PYTHONPATH=$pp timeout "$s" python3 "$@" --set model.backend="$b" > "$O/$n.log" 2>&1; local rc=$?
  echo "$n rc=$rc $(( $(date +%s) - t )) s :: $(grep -iE 'peak|tokens/s|error' "$O/$n.log" | tail -n 2 | tr '\n' ' ' | cut -c1-400)" | tee -a "$O/gpu.txt"
}
per_step() { # name metrics.jsonl: one line a step (time, generated tokens/s, peak memory, reward)
  [ -f "$2" ] || return 0
  python3 - "$1" "$2" <<'EOF' | tee -a "$O/gpu.txt"
import json, sys
for line in open(sys.argv[2]):
    r = json.loads(line)
    print(f"{sys.argv[1]} step {r['step']}: {r.get('step_time_s', 0):.1f} s, {r.get('tokens_per_s', 0):.1f} generated "
          f"tokens/s, peak {r.get('peak_memory_mb', 0):.0f} MB, reward {r.get('reward_mean', 0):.3f}, "
          f"answer length {r.get('completion_len', 0):.0f}")
EOF
}
# shellcheck disable=SC2086  # $A is a list of arguments
step grpo_hf hf "$G/site" "${GRPO_S:-150}" train_grpo.py $A --sft-adapter /tmp/sft_hf --output-dir /tmp/grpo_hf \
  --set grpo.run_name=grpo_hf
per_step grpo_hf "$O/grpo_logs/grpo_hf/metrics.jsonl"
if [ -z "${SKIP_UNSLOTH:-}" ]; then
  # shellcheck disable=SC2086
  step grpo_unsloth unsloth "$G/usite:$G/site" "${GRPO_S:-150}" train_grpo.py $A --sft-adapter /tmp/sft_us \
    --output-dir /tmp/grpo_us --set grpo.run_name=grpo_us
  per_step grpo_unsloth "$O/grpo_logs/grpo_us/metrics.jsonl"
fi
