"""The routing outcome sets of ../shared/data/routing as one list of items, each with the weak and
strong model's quality (0–1), its source, and — where other models answered the same prompt — an
item difficulty: 1 − the other models' mean quality."""

import ast
import csv
import glob
import json
import pathlib

WEAK = {"mmlu": "mistralai/Mixtral-8x7B-Instruct-v0.1", "arena": "Mixtral-8x7B-Instruct-v0.1", "routerbench": "mistralai/mixtral-8x7b-chat"}
STRONG = "gpt-4-1106-preview"
ROUTERBENCH = {"mbpp": "mbpp", "arc_challenge": "arc", "winograde": "winogrande"}
SOURCES = ["mmlu", "arena", "mbpp", "arc", "winogrande"]


def load(directory: pathlib.Path) -> list[dict]:
    """Every set under `directory` (../shared/data/routing)."""
    return load_mmlu(directory / "mmlu") + load_arena(directory / "arena-bench-v1") + load_routerbench(directory / "routerbench")


def load_mmlu(mmlu: pathlib.Path) -> list[dict]:
    """MMLU's subjects in file order, the 5 contaminated prompts dropped."""
    items = []
    contaminated = {json.loads(line)["train_prompt"] for line in (mmlu / "contaminated_prompts.jsonl").read_text().splitlines() if line.strip()}
    for path in sorted(glob.glob(str(mmlu / "mmlu_*.csv"))):
        subject = pathlib.Path(path).stem.removeprefix("mmlu_")
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                if row["prompt"] in contaminated:
                    continue
                items.append({"prompt": row["prompt"], "weak": float(row[WEAK["mmlu"]] == "True"), "strong": float(row[STRONG] == "True"),
                              "source": "mmlu", "subject": subject, "difficulty": None})
    return items


def load_arena(directory: pathlib.Path) -> list[dict]:
    items = []
    for line in (directory / "arena_bench_v1.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        scores = row["scores"]
        if scores.get(WEAK["arena"]) is None or scores.get(STRONG) is None:
            continue
        others = [float(v) for k, v in scores.items() if k not in (WEAK["arena"], STRONG) and v is not None]
        items.append({"prompt": row["prompt"], "weak": float(scores[WEAK["arena"]]) / 10, "strong": float(scores[STRONG]) / 10,
                      "source": "arena", "subject": "arena",
                      "difficulty": 1 - sum(others) / len(others) / 10 if others else None})
    return items


def load_routerbench(directory: pathlib.Path) -> list[dict]:
    items = []
    for path in sorted(glob.glob(str(directory / "*.csv"))):
        name = pathlib.Path(path).stem.rsplit("_", 1)[0]
        with open(path, newline="") as handle:
            reader = csv.DictReader(handle)
            models = [f for f in reader.fieldnames if f not in ("sample_id", "prompt", "eval_name", "oracle_model_to_route_to")]
            for row in reader:
                if row[WEAK["routerbench"]] == "" or row[STRONG] == "":
                    continue  # an outcome is missing
                try:
                    parts = ast.literal_eval(row["prompt"])
                    prompt = "\n".join(parts) if isinstance(parts, list) else str(parts)
                except (ValueError, SyntaxError):
                    prompt = row["prompt"]
                others = [float(row[m]) for m in models if m not in (WEAK["routerbench"], STRONG) and row[m] != ""]
                items.append({"prompt": prompt, "weak": float(row[WEAK["routerbench"]]), "strong": float(row[STRONG]),
                              "source": ROUTERBENCH[name], "subject": ROUTERBENCH[name],
                              "difficulty": 1 - sum(others) / len(others) if others else None})
    return items
