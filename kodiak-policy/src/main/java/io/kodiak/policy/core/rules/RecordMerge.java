package io.kodiak.policy.core.rules;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Merges two confs of one record type, the later over the earlier, as Kuma merges policy defaults:
 * a component the later one leaves null keeps the earlier value; nested records merge the same way;
 * lists are replaced, except those named {@code append...}, which add up (several policies each add
 * modifications or headers). Thread-safe; each record type is inspected once.
 */
final class RecordMerge {
  private static final Map<Class<?>, Shape> SHAPES = new ConcurrentHashMap<>();

  private RecordMerge() {}

  /** The record's components and canonical constructor. */
  private record Shape(RecordComponent[] components, Constructor<?> constructor) {}

  static <R extends Record> R merge(R earlier, R later) {
    return mergeAny(earlier, later);
  }

  /** The record with every component null: nothing set. */
  static <R extends Record> R empty(Class<R> type) {
    Shape shape = shapeOf(type);
    return construct(shape, new Object[shape.components().length]);
  }

  @SuppressWarnings("unchecked") // both are of one record type; so is the result
  private static <R> R mergeAny(R earlier, R later) {
    Shape shape = shapeOf(earlier.getClass());
    RecordComponent[] components = shape.components();
    Object[] values = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      Object before = read(components[i], earlier);
      Object after = read(components[i], later);
      values[i] = component(components[i], before, after);
    }
    return (R) construct(shape, values);
  }

  private static Object component(RecordComponent component, Object before, Object after) {
    if (after == null) {
      return before;
    }
    if (before == null) {
      return after;
    }
    if (after instanceof Record) {
      return mergeAny(before, after);
    }
    if (after instanceof List<?> list && component.getName().startsWith("append")) {
      List<Object> both = new ArrayList<>((List<?>) before);
      both.addAll(list);
      return List.copyOf(both);
    }
    return after;
  }

  private static Shape shapeOf(Class<?> type) {
    return SHAPES.computeIfAbsent(
        type,
        t -> {
          RecordComponent[] components = t.getRecordComponents();
          Class<?>[] types = new Class<?>[components.length];
          for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
          }
          try {
            Constructor<?> constructor = t.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return new Shape(components, constructor);
          } catch (NoSuchMethodException e) {
            throw new IllegalStateException(t + " is not a record with a canonical constructor", e);
          }
        });
  }

  private static Object read(RecordComponent component, Object record) {
    try {
      var accessor = component.getAccessor();
      accessor.setAccessible(true);
      return accessor.invoke(record);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + component, e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <R> R construct(Shape shape, Object[] values) {
    try {
      return (R) shape.constructor().newInstance(values);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + shape.constructor().getDeclaringClass(), e);
    }
  }
}
