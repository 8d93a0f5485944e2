package io.kodiak.cp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.codec.Documents;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Parses a Prometheus text exposition with Prometheus's own Python parser (prometheus-client,
 * installed into .venv by `make setup`), so tests check what a real scraper accepts. Returns the
 * families as {@code {name: {type, samples: [{name, labels, value}]}}} (NaN and infinities as
 * strings); a parse error fails.
 */
public final class PrometheusText {
  private static final String SCRIPT =
      """
      import json, math, sys
      from prometheus_client.parser import text_string_to_metric_families
      out = {}
      for family in text_string_to_metric_families(sys.stdin.read()):
          out[family.name] = {"type": family.type, "samples": [
              {"name": s.name, "labels": s.labels,
               "value": s.value if math.isfinite(s.value) else str(s.value)} for s in family.samples]}
      print(json.dumps(out))
      """;

  private PrometheusText() {}

  public static JsonNode parse(String exposition) {
    Path python = python();
    try {
      Process process =
          new ProcessBuilder(python.toString(), "-c", SCRIPT).redirectErrorStream(false).start();
      try (OutputStream in = process.getOutputStream()) {
        in.write(exposition.getBytes(StandardCharsets.UTF_8));
      }
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new AssertionError("the Prometheus parser refused the exposition: " + err);
      }
      return Documents.parse(out);
    } catch (IOException e) {
      throw new AssertionError(
          "cannot run the Prometheus parser at " + python + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static Path python() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(".venv/bin/python");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(".venv/bin/python not found: run 'make setup'");
  }
}
