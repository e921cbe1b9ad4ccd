"""JSON Schemas (draft 2020-12) of jac's JSON output: `jac schema COMMAND` prints one."""
