package io.kodiak.policy.core;

import io.kodiak.model.validation.FieldPath;
import java.util.List;
import java.util.function.BiConsumer;

/** The lists of decoded confs, where null means "not set". Stateless and thread-safe. */
public final class Lists {
  private Lists() {}

  /** The list, or an empty one when it is not set. */
  public static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  /**
   * Hands each element of a list (none when it is not set) to {@code check} with its path, {@code
   * path[i]}.
   */
  public static <T> void eachAt(List<T> list, FieldPath path, BiConsumer<T, FieldPath> check) {
    List<T> items = orEmpty(list);
    for (int i = 0; i < items.size(); i++) {
      check.accept(items.get(i), path.index(i));
    }
  }
}
