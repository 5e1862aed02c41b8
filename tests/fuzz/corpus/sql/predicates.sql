SELECT * FROM '/lake/bronze/orders' WHERE name LIKE 'A%' AND k NOT IN (1, 2.5, 1e3) OR NOT d >= DATE '2024-02-29' AND s || 'x' <> "Quoted""Name";
