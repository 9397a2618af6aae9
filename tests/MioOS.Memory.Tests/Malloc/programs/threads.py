# Threads building and dropping objects at the same time (the GIL switches between them, so frees and allocations
# of different threads interleave in the malloc under test). The output is the same under every malloc.
import json
import threading

results = {}
lock = threading.Lock()

def work(n):
    data = []
    for i in range(20000):
        item = {"id": i, "owner": n, "tags": ["t%d" % (i % 17)] * (i % 6), "text": "%d-%d" % (n, i) * (i % 9)}
        data.append(item)
        if len(data) > 500:
            data = [d for d in data[-300:] if d["id"] % 3 != 0]
    blob = json.dumps(data, sort_keys=True)
    with lock:
        results[n] = (len(data), len(blob))

threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for n in sorted(results):
    print(n, results[n])
