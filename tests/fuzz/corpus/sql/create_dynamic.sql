CREATE DYNAMIC TABLE silver.daily_sales_by_region
  TARGET_LAG = '1 minute'
  REFRESH_MODE = INCREMENTAL
AS SELECT region, CAST(ts AS DATE) AS day, SUM(amount_usd) AS total_sales, COUNT(*) AS orders
   FROM bronze.orders
   GROUP BY region, CAST(ts AS DATE);
