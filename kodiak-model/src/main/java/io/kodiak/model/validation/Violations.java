package io.kodiak.model.validation;

import java.util.ArrayList;
import java.util.List;

/** Collects violations during one validation run. Not thread-safe; use one per run. */
public final class Violations {
  private final List<Violation> list = new ArrayList<>();

  public void add(FieldPath path, String reason) {
    list.add(new Violation(path.toString(), reason));
  }

  public void addAll(List<Violation> more) {
    list.addAll(more);
  }

  public boolean isEmpty() {
    return list.isEmpty();
  }

  public List<Violation> list() {
    return List.copyOf(list);
  }

  /** Throws {@link ValidationException} with every collected violation, if there are any. */
  public void throwIfAny() {
    if (!list.isEmpty()) {
      throw new ValidationException(list);
    }
  }
}
