package io.kodiak.policy.core;

import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.Violations;
import java.util.Locale;

/**
 * Checks typed backend lists (access logs, traces, metrics) on the decoded conf: the block named by
 * the backend's {@code type} is set, no other. Stateless and thread-safe.
 */
public final class Backends {
  private Backends() {}

  /**
   * One block a backend may carry: the type that calls for it and its decoded value (null when not
   * set).
   */
  public record Block(String type, Object value) {}

  /**
   * Reports, block by block in the order given (the order of the type's enum), the chosen block
   * missing and every other block set.
   *
   * @param backend where the backend is ({@code ...backends[0]})
   * @param type the backend's type; null when not set
   */
  public static void check(FieldPath backend, String type, Violations out, Block... blocks) {
    for (Block block : blocks) {
      FieldPath path = backend.field(blockName(block.type()));
      if (block.type().equals(type)) {
        if (block.value() == null) {
          out.add(path, "must be defined when type is " + type);
        }
      } else if (block.value() != null) {
        out.add(
            path,
            "must not be set when type is " + (type == null || type.isEmpty() ? "not set" : type));
      }
    }
  }

  private static String blockName(String type) {
    return type.equals("OpenTelemetry") ? "openTelemetry" : type.toLowerCase(Locale.ROOT);
  }
}
