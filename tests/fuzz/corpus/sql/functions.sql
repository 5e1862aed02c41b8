SELECT EXTRACT(year FROM ts), SUBSTRING(s FROM 2 FOR 3), date_trunc('day', ts), coalesce(a, 0), nullif(b, ''), round(x, 2), ceiling(y) FROM read_parquet('/data/f.parquet')
