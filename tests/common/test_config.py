"""config.py presets and the shared command line (cli.py)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from common.errors import UserError

from common import cli
import config


def parse(stage, argv):
    parser = cli.make_parser("t", None, stage)
    return cli.resolve_config(parser.parse_args(argv), stage)


def test_paper_preset_has_the_report_settings():
    cfg = config.get_preset("paper")
    assert cfg.model.name == "unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit"
    assert cfg.model.load_in_4bit is True
    assert (cfg.data.medqa, cfg.data.medmcqa) == ("GBaker/MedQA-USMLE-4-options", "openlifescienceai/medmcqa")
    assert cfg.data.medmcqa_subset == 50_000 and cfg.data.val_ratio == 0.05 and cfg.data.min_question_words == 10
    assert (cfg.lora.r, cfg.lora.alpha, cfg.lora.target_modules) == (16, 8, ["q_proj", "k_proj"])
    s = cfg.sft
    assert (s.batch_size, s.grad_accum, s.learning_rate, s.epochs, s.lr_scheduler) == (1, 8, 3e-6, 5.0, "cosine")
    assert s.gradient_checkpointing is True and s.optim.startswith("adamw")
    p = cfg.ppo
    assert (p.num_examples, p.learning_rate, p.epochs, p.batch_size, p.clip_eps) == (500, 5e-7, 2.0, 2, 0.2)
    assert (p.reward_correct, p.reward_wrong, p.source) == (1.0, 0.1, "medqa")
    assert cfg.data.system_prompt.startswith("You are a knowledgeable medical AI assistant")


def test_tiny_is_the_default_and_is_offline():
    cfg = parse("sft", [])
    assert cfg.preset == "tiny" == config.DEFAULT_PRESET
    assert cfg.model.name == "embedded"
    assert cfg.data.medqa.startswith("data/sample/") and cfg.data.medmcqa.startswith("data/sample/")


def test_presets_are_independent_copies():
    a = config.get_preset("tiny")
    a.lora.target_modules.append("x")
    assert "x" not in config.get_preset("tiny").lora.target_modules


def test_common_flags_map_to_the_stage_section():
    cfg = parse("sft", ["--model", "some/model", "--output-dir", "out", "--epochs", "3", "--max-steps", "7",
                        "--max-samples", "11", "--seed", "5"])
    assert (cfg.model.name, cfg.sft.output_dir, cfg.sft.epochs, cfg.sft.max_steps) == ("some/model", "out", 3.0, 7)
    assert (cfg.sft.max_samples, cfg.sft.seed) == (11, 5)
    cfg = parse("ppo", ["--epochs", "4"])
    assert cfg.ppo.epochs == 4.0 and cfg.sft.epochs == config.get_preset("tiny").sft.epochs


@pytest.mark.parametrize(
    "item, section, name, expected",
    [
        ("sft.learning_rate=1e-4", "sft", "learning_rate", 1e-4),
        ("sft.gradient_checkpointing=true", "sft", "gradient_checkpointing", True),
        ("ppo.batch_size=8", "ppo", "batch_size", 8),
        ("lora.target_modules=q_proj, v_proj", "lora", "target_modules", ["q_proj", "v_proj"]),
        ("chat.system_prompt=Be brief.", "chat", "system_prompt", "Be brief."),
    ],
)
def test_set_overrides_are_type_checked(item, section, name, expected):
    cfg = parse("sft", ["--set", item])
    assert getattr(getattr(cfg, section), name) == expected


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--preset", "huge"], "unknown preset 'huge'; choose one of: paper, tiny"),
        (["--set", "sft.learning_rat=1"], "valid fields of 'sft'"),
        (["--set", "nosuch.x=1"], "SECTION one of"),
        (["--set", "sft.batch_size=two"], "'two' is not a valid int"),
        (["--set", "sft.gradient_checkpointing=maybe"], "not a valid bool"),
        (["--set", "sft.batch_size"], "expected SECTION.FIELD=VALUE"),
    ],
)
def test_bad_settings_are_one_clear_error(argv, fragment):
    with pytest.raises(UserError) as err:
        parse("sft", argv)
    assert fragment in str(err.value)


def test_main_wrapper_turns_user_errors_into_exit_2(capsys):
    def main(argv):
        raise UserError("thing is wrong; do this")

    assert cli.main_wrapper(main, []) == 2
    err = capsys.readouterr().err
    assert err == "error: thing is wrong; do this\n"
    with pytest.raises(UserError):
        cli.main_wrapper(main, ["--debug"])


def test_unexpected_errors_are_one_line_without_traceback(capsys):
    def main(argv):
        raise RuntimeError("boom")

    assert cli.main_wrapper(main, []) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "boom" in err and "--debug" in err and err.count("\n") == 1


def test_save_config_writes_the_stage_sections(tmp_path):
    cfg = parse("sft", ["--set", "sft.learning_rate=0.5"])
    path = cli.save_config(cfg, "sft", tmp_path)
    data = json.loads(path.read_text())
    assert data["preset"] == "tiny" and data["sft"]["learning_rate"] == 0.5
    assert set(data) == {"preset", "model", "lora", "sft"}
    assert not list(tmp_path.glob(".*.tmp"))


def test_script_prints_one_line_for_an_unknown_preset(repo_root):
    proc = subprocess.run([sys.executable, "-m", "common.modeling", "--preset", "nope"], cwd=repo_root,
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: unknown preset 'nope'; choose one of: paper, tiny"


def test_a_full_disk_is_one_line_that_says_what_to_do(capsys):
    import errno

    def fails(exc):
        def main(argv):
            raise exc
        return main

    class SafetensorError(Exception):  # native writers report the errno only in their message
        pass

    wrapped = RuntimeError("saving the checkpoint failed")
    wrapped.__cause__ = OSError(errno.ENOSPC, "No space left on device")
    for exc in (OSError(errno.ENOSPC, "No space left on device"), OSError(errno.EFBIG, "File too large"),
                SafetensorError("Error while serializing: IoError(Os { code: 27, ... }) (os error 27)"), wrapped):
        assert cli.main_wrapper(fails(exc), []) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: the disk is full (") and "--output-dir" in err[0]
    assert cli.main_wrapper(fails(OSError(errno.EACCES, "Permission denied")), []) == 1  # not a full disk
    assert "disk is full" not in capsys.readouterr().err
