"""A small hand-made office framework and data for the assessment tests."""

from __future__ import annotations

import pandas as pd


def framework_dict() -> dict:
    return {
        "id": "demo-office",
        "name_zh": "演示考核",
        "name_en": "Demo assessment",
        "version": "2024",
        "valid_from": "2024-01-01",
        "issuer": "演示省发展改革委",
        "document": "演发改〔2024〕1号",
        "dimensions": [
            {"id": "inno", "name_zh": "创新", "indicators": [
                {"id": "rd", "name_zh": "研发强度", "unit": "%", "direction": "+", "target": 2.5,
                 "weight": 0.4, "provider": "科技厅", "formula": "R&D经费/GDP×100"},
                {"id": "pat", "name_zh": "万人专利", "unit": "件/万人", "direction": "+",
                 "target": 10, "weight": 0.2, "provider": "市场监管局"},
            ]},
            {"id": "green", "name_zh": "绿色", "indicators": [
                {"id": "energy", "name_zh": "单位GDP能耗", "unit": "吨标准煤/万元",
                 "direction": "-", "target": 0.5, "weight": 0.4, "provider": "统计局"},
            ]},
        ],
        "classes": [
            {"id": "A", "name_zh": "一类", "targets": {"rd": 3.0}},
            {"id": "B", "name_zh": "二类", "weights": {"rd": 0.3, "pat": 0.3, "energy": 0.4}},
        ],
    }


VALUES = {
    "u1": {2020: (2.0, 8, 0.6), 2021: (2.5, 9, 0.5), 2022: (2.8, 10, 0.48)},
    "u2": {2020: (3.0, 12, 0.4), 2021: (3.2, 11, 0.45), 2022: (3.3, 13, 0.42)},
    "u3": {2020: (1.0, 4, 0.9), 2021: (1.5, 5, 0.8), 2022: (1.6, 6, 0.7)},
}
CLASSES = {"u1": "A", "u2": "A", "u3": "B"}


def data_frame() -> pd.DataFrame:
    return pd.DataFrame([
        {"unit": u, "period": y, "rd": a, "pat": b, "energy": c}
        for u, d in VALUES.items() for y, (a, b, c) in d.items()
    ])
