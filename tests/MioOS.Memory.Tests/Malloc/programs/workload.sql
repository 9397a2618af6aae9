-- Tables, indexes, joins, grouping and text in sqlite3, deterministic: the output is the same under every malloc.
CREATE TABLE item(id INTEGER PRIMARY KEY, grp INTEGER, name TEXT, payload TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
INSERT INTO item SELECT i, i % 113, 'name' || (i * 7919 % 30011), printf('%.*c', i % 200, 'p') FROM n;
CREATE INDEX item_name ON item(name);
CREATE TABLE grp(id INTEGER PRIMARY KEY, label TEXT);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 112)
INSERT INTO grp SELECT i, 'group-' || i FROM n;
SELECT g.label, count(*), sum(length(i.payload)), min(i.name), max(i.name)
  FROM item i JOIN grp g ON g.id = i.grp GROUP BY g.label ORDER BY count(*) DESC, g.label LIMIT 10;
SELECT count(DISTINCT name), group_concat(DISTINCT substr(name, 1, 6)) FROM item WHERE name LIKE 'name1%';
UPDATE item SET payload = payload || payload WHERE id % 5 = 0;
DELETE FROM item WHERE id % 7 = 0;
SELECT count(*), sum(length(payload)) FROM item;
SELECT name FROM item ORDER BY name DESC LIMIT 5;
VACUUM;
SELECT count(*) FROM item WHERE payload GLOB '*pp*';
