package io.kodiak.policy.testing;

import io.kodiak.policy.PolicyModules;
import io.kodiak.policy.core.module.PolicyModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Where each policy's test cases live: beside its package, under {@code
 * src/test/resources/io/kodiak/policy/<package>/<kind>/} ({@code golden}, {@code validation}).
 */
public final class PolicyCases {
  private PolicyCases() {}

  /** The folder of one kind of case for a module (it may not exist). */
  public static Path folder(PolicyModule<?> module, String kind) {
    return Path.of(
        "src/test/resources/io/kodiak/policy", module.type().name().toLowerCase(Locale.ROOT), kind);
  }

  /**
   * Every file of every module's {@code kind} folder whose name ends with {@code suffix}, sorted.
   */
  public static List<Path> all(String kind, String suffix) {
    List<Path> out = new ArrayList<>();
    for (PolicyModule<?> module : PolicyModules.all()) {
      out.addAll(of(module, kind, suffix));
    }
    return out;
  }

  /** The files of one module's {@code kind} folder whose name ends with {@code suffix}, sorted. */
  public static List<Path> of(PolicyModule<?> module, String kind, String suffix) {
    Path folder = folder(module, kind);
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
