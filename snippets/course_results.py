"""Every model the course trained, read back from the chapters' frozen
outputs.

A chapter that trains a model worth comparing ends with a DataFrame named
``leaderboard`` (rows made by ``leaderboard.row``), and the site's engine
freezes it in ``outputs/<chapter>/manifest.json``. This module reads those
tables back, for the recap's figure and for the site's Leaderboard page, so
that both show the very rows the chapters' runs made. Run the recap from the
project's folder, or from one holding each chapter's ``manifest.json`` in
``outputs/<chapter>/``.
"""

import json
from pathlib import Path

# leaderboard.row's keys, but the model's name, which is the table's index
COLUMNS = ["features", "training images", "test images", "test accuracy",
           "fit seconds", "predict seconds", "size MB"]


def leaderboard_rows(manifest):
    """The rows of a chapter's ``leaderboard`` tables in its frozen manifest:
    dicts of ``model``, ``chapter`` and COLUMNS, in the table's order."""
    rows = []
    for section in manifest["sections"]:
        table = section["values"].get("leaderboard", {}).get("table")
        if table is None:
            continue
        if table["columns"] != COLUMNS:
            raise ValueError(
                f"leaderboard of {manifest['chapter']} has columns "
                f"{table['columns']}, expected {COLUMNS} (use leaderboard.row)")
        for model, cells in zip(table["index"], table["rows"]):
            rows.append({"model": model, "chapter": manifest["chapter"],
                         **dict(zip(COLUMNS, cells))})
    return rows


def course_rows(outputs="outputs"):
    """Every leaderboard row of every chapter frozen under ``outputs``,
    chapter by chapter in alphabetical order."""
    manifests = sorted(Path(outputs).glob("*/manifest.json"))
    if not manifests:
        # A figure of nothing would look like a course that trained nothing
        raise FileNotFoundError(
            f"no frozen outputs in {Path(outputs).resolve()}: run this from "
            "the project's folder, where outputs/<chapter>/manifest.json are")
    return [row for path in manifests
            for row in leaderboard_rows(json.loads(path.read_text()))]
