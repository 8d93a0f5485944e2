package io.kodiak.e2e.cli;

/** What one kodiakctl invocation printed and returned. */
record CliResult(int exitCode, String out, String err) {}
