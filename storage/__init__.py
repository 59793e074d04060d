"""Storage: PostgreSQL history (COPY writer, disk spool, rollup), Redis current values, queries."""
