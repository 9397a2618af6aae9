# A CPython workload for a malloc trace: build nested records, encode them to JSON and decode them again,
# two rounds, keeping the decoded documents of the last round alive (as a program that caches them would).
import json
import random

random.seed(11)
words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
kept = []
for round in range(2):
    records = [
        {
            "id": i,
            "name": " ".join(random.choice(words) for _ in range(random.randint(1, 6))),
            "tags": [random.choice(words) for _ in range(random.randint(0, 8))],
            "scores": [random.random() for _ in range(random.randint(0, 12))],
            "nested": {"depth": random.randint(0, 9), "flag": random.random() < 0.5, "note": None},
        }
        for i in range(4000)
    ]
    text = json.dumps(records, sort_keys=True)
    decoded = json.loads(text)
    assert decoded == records
    kept = decoded
print(len(kept), sum(len(r["tags"]) for r in kept))
