# Dicts, lists, strings, json and re, deterministic: the output is the same under every malloc. Run with
# PYTHONMALLOC=malloc so that every object goes through the malloc under test.
import json
import re
import hashlib

words = []
state = 12345
for i in range(60000):
    state = (state * 1103515245 + 12345) & 0x7FFFFFFF
    words.append("w%d%s" % (state % 5000, "x" * (state % 13)))

counts = {}
for w in words:
    counts[w] = counts.get(w, 0) + 1
top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
print("distinct", len(counts), "top", top)

# Lists that grow, shrink and nest.
table = [[i * j for j in range(i % 50)] for i in range(3000)]
flat = [x for row in table for x in row if x % 7 == 3]
print("flat", len(flat), sum(flat))
while len(table) > 10:
    del table[::2]
print("left", len(table), [len(r) for r in table])

# Strings: joins, splits, formatting, replacement.
text = " ".join(words)
pieces = text.split("x")
print("pieces", len(pieces), len(max(pieces, key=len)))
rebuilt = "-".join(p.upper()[::-1] for p in pieces[:20000])
print("rebuilt", len(rebuilt), hashlib.sha256(rebuilt.encode()).hexdigest())

# json round trips of nested documents.
doc = {"k%d" % i: {"list": list(range(i % 40)), "name": words[i], "nested": {"a": [words[i]] * (i % 5)}}
       for i in range(8000)}
encoded = json.dumps(doc, sort_keys=True)
decoded = json.loads(encoded)
print("json", len(encoded), decoded == doc, hashlib.sha256(encoded.encode()).hexdigest())

# re: compile many patterns, find and substitute.
patterns = [re.compile(r"w(%d)\d*(x+)" % d) for d in range(10)]
found = sum(len(p.findall(text[:200000])) for p in patterns)
swapped = re.sub(r"w(\d+)(x*)", lambda m: m.group(2) + m.group(1), text[:300000])
print("re", found, len(swapped), hashlib.sha256(swapped.encode()).hexdigest())
