"""Human-readable evaluation output: a text table and a report folder with a confusion matrix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def format_table(report: dict[str, Any]) -> str:
    """Render the per-intent and per-language figures as a plain-text table."""
    lines = [f"{'intent':<22}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}"]
    for intent, row in report["per_intent"].items():
        lines.append(f"{intent:<22}{row['precision']:>10.2f}{row['recall']:>8.2f}"
                     f"{row['f1']:>8.2f}{row['support']:>9}")
    lines.append("")
    for code, row in report["per_language"].items():
        lines.append(f"language {code}: accuracy {row['accuracy']:.3f}, "
                     f"macro-F1 {row['macro_f1']:.3f} ({row['count']} examples)")
    lines.append(f"overall: accuracy {report['accuracy']:.3f}, macro-F1 {report['macro_f1']:.3f} "
                 f"({report['count']} examples)")
    return "\n".join(lines)


def write_report(report: dict[str, Any], folder: Path) -> list[Path]:
    """Write `report.json`, `intents.md` and `confusion_matrix.png` into `folder`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "report.json", folder / "intents.md", folder / "confusion_matrix.png"]
    written[0].write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    rows = ["| intent | precision | recall | f1 | support |", "|---|---|---|---|---|"]
    rows += [f"| {name} | {r['precision']:.2f} | {r['recall']:.2f} | {r['f1']:.2f} | "
             f"{r['support']} |" for name, r in report["per_intent"].items()]
    written[1].write_text("\n".join(rows) + "\n", encoding="utf-8")
    gold = [p["intent"] for p in report["predictions"]]
    guessed = [p["predicted"] for p in report["predictions"]]
    labels = sorted(set(gold) | set(guessed))
    figure, axes = plt.subplots(figsize=(14, 12))
    ConfusionMatrixDisplay.from_predictions(gold, guessed, labels=labels, ax=axes,
                                            xticks_rotation="vertical", colorbar=False)
    axes.set_title(f"Intent confusion (accuracy {report['accuracy']:.3f})")
    figure.tight_layout()
    figure.savefig(written[2], dpi=90)
    plt.close(figure)
    return written
