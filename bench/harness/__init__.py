"""The pieces of bench/run_bench: processes, the lab, the resolvers, the measurements, the report."""
