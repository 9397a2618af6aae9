-- An sqlite3 workload for a malloc trace: a table of 100,000 rows, an index, aggregate queries, updates and
-- deletes, in an in-memory database.
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, category INTEGER, price REAL, note TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO item SELECT i, 'item-' || i, i % 97, (i * 7919 % 10007) / 100.0, substr(hex(randomblob(24)), 1, i % 40) FROM n;
CREATE INDEX item_category ON item(category, price);
SELECT category, count(*), round(avg(price), 2) FROM item GROUP BY category ORDER BY 3 DESC LIMIT 5;
UPDATE item SET note = note || '-x' WHERE id % 3 = 0;
DELETE FROM item WHERE price < 10;
SELECT count(*), sum(length(note)) FROM item;
SELECT a.category, count(*) FROM item a JOIN item b ON a.id = b.id + 1 AND a.category = b.category GROUP BY a.category ORDER BY 2 DESC LIMIT 3;
VACUUM;
SELECT count(*) FROM item WHERE name LIKE 'item-9%';
