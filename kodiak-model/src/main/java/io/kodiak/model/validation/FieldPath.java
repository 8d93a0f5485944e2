package io.kodiak.model.validation;

/** An immutable JSON path in Kuma's notation: {@code spec.to[0].default}. Cheap to extend. */
public final class FieldPath {
  private static final FieldPath ROOT = new FieldPath("");
  private final String text;

  private FieldPath(String text) {
    this.text = text;
  }

  public static FieldPath root() {
    return ROOT;
  }

  public static FieldPath of(String first) {
    return ROOT.field(first);
  }

  public FieldPath field(String name) {
    return new FieldPath(text.isEmpty() ? name : text + "." + name);
  }

  public FieldPath index(int i) {
    return new FieldPath(text + "[" + i + "]");
  }

  /** A map key; quoted when it holds characters that would make the path ambiguous. */
  public FieldPath key(String key) {
    boolean plain = key.matches("[A-Za-z0-9_-]+");
    return new FieldPath(text + (plain ? (text.isEmpty() ? key : "." + key) : "[\"" + key + "\"]"));
  }

  @Override
  public String toString() {
    return text;
  }
}
