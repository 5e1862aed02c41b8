SELECT a, -- comment
 /* block */ b FROM t WHERE ((a + b) * c - -d) / 2 % 3 = 1
