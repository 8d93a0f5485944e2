package io.kodiak.model.validation;

import io.kodiak.model.catalog.ResourceType;
import java.util.regex.Pattern;

/** Rules for resource names, mesh names and labels, shared by every type. */
public final class NameRules {
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9._-]*[a-z0-9])?");
  private static final Pattern MESH = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
  private static final Pattern LABEL_NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");
  private static final Pattern LABEL_PREFIX = Pattern.compile("[a-z0-9]([a-z0-9.-]*[a-z0-9])?");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)?");

  private NameRules() {}

  public static void checkName(ResourceType type, String name, FieldPath path, Violations out) {
    if (type.name().equals("Mesh")) {
      checkMeshName(name, path, out);
      return;
    }
    if (name.isEmpty()) {
      out.add(path, "must not be empty");
    } else if (name.length() > 253) {
      out.add(path, "must be at most 253 characters long");
    } else if (!NAME.matcher(name).matches()) {
      out.add(
          path,
          "invalid name \""
              + name
              + "\": use lower-case letters, digits, '-', '_' and '.', "
              + "starting and ending with a letter or digit");
    }
  }

  public static void checkMeshName(String mesh, FieldPath path, Violations out) {
    if (mesh.isEmpty()) {
      out.add(path, "must not be empty");
    } else if (mesh.length() > 63) {
      out.add(path, "must be at most 63 characters long");
    } else if (!MESH.matcher(mesh).matches()) {
      out.add(
          path,
          "invalid mesh name \""
              + mesh
              + "\": use lower-case letters, digits and '-', "
              + "starting and ending with a letter or digit");
    }
  }

  /**
   * Label keys follow Kubernetes: an optional DNS prefix and '/', then a name of up to 63
   * characters.
   */
  public static void checkLabel(String key, String value, FieldPath path, Violations out) {
    int slash = key.lastIndexOf('/');
    String prefix = slash < 0 ? "" : key.substring(0, slash);
    String name = key.substring(slash + 1);
    if (name.isEmpty()
        || name.length() > 63
        || !LABEL_NAME.matcher(name).matches()
        || slash >= 0 && (prefix.length() > 253 || !LABEL_PREFIX.matcher(prefix).matches())) {
      out.add(
          path,
          "invalid label key: expected an optional DNS prefix and '/', then up to 63 letters, "
              + "digits, '-', '_' or '.'");
    }
    if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
      out.add(
          path, "invalid label value \"" + value + "\": up to 63 letters, digits, '-', '_' or '.'");
    }
  }
}
