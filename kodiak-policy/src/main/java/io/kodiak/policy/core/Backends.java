package io.kodiak.policy.core;

import io.kodiak.model.validation.At;
import io.kodiak.model.validation.Violations;
import java.util.Locale;

/** Checks typed backend lists (access logs, traces, metrics): the block named by {@code type} is set, no other. */
public final class Backends {
  private Backends() {}

  /** Returns the block matching the backend's type, or an absent node. */
  public static At typedBlock(At backend, String[] types, Violations out) {
    String type = backend.field("type").text();
    At chosen = backend.field("__none__");
    for (String option : types) {
      At block = backend.field(blockName(option));
      if (option.equals(type)) {
        chosen = block;
        if (!block.present()) {
          out.add(block.path(), "must be defined when type is " + type);
        }
      } else if (block.present()) {
        out.add(block.path(), "must not be set when type is " + (type.isEmpty() ? "not set" : type));
      }
    }
    return chosen;
  }

  private static String blockName(String type) {
    return type.equals("OpenTelemetry") ? "openTelemetry" : type.toLowerCase(Locale.ROOT);
  }
}
