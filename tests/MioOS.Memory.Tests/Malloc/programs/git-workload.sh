#!/bin/sh
# git in a fresh repository in the current directory: init, add, commit (three commits, fixed dates so the hashes
# are the same on every run), log -p, gc, fsck. The output is the same under every malloc.
set -e
export GIT_AUTHOR_NAME=Mio GIT_AUTHOR_EMAIL=mio@example.org GIT_COMMITTER_NAME=Mio GIT_COMMITTER_EMAIL=mio@example.org
export GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'
export GIT_CONFIG_NOSYSTEM=1 HOME="$PWD"
git init -q -b main .
for round in 1 2 3; do
    i=0
    while [ $i -lt 40 ]; do
        seq $((i * round)) $((i * round + 300)) | sed "s/^/line $round /" > "file$i.txt"
        i=$((i + 1))
    done
    git add .
    git commit -q -m "round $round"
done
git log -p --stat
git gc -q
git fsck --full
git count-objects -v | grep -E '^(count|in-pack|packs)'
