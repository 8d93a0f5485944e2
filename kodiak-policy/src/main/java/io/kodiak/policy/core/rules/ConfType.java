package io.kodiak.policy.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * What a policy's {@code default} blocks are in Java: how one block is decoded (once per mesh
 * snapshot) and how two merge, the later over the earlier. A typed conf is a record whose
 * components are all nullable (null means "not set", so a later policy only overrides what it
 * sets); {@link #json()} keeps a block as JSON, for policies whose conf is a program of its own
 * (routes, patches). Immutable and thread-safe.
 */
public final class ConfType<C> {
  private final Function<JsonNode, C> decode;
  private final BinaryOperator<C> merge;
  private final C empty;
  private final boolean json;
  private final Optional<Class<?>> record;

  private ConfType(
      Function<JsonNode, C> decode,
      BinaryOperator<C> merge,
      C empty,
      boolean json,
      Optional<Class<?>> record) {
    this.record = record;
    this.decode = decode;
    this.merge = merge;
    this.empty = empty;
    this.json = json;
  }

  /**
   * A record conf: decoded with {@link SpecMapper}, merged component by component ({@link
   * RecordMerge}).
   */
  public static <R extends Record> ConfType<R> record(Class<R> type) {
    return new ConfType<>(
        node -> SpecMapper.decode(node, type),
        RecordMerge::merge,
        RecordMerge.empty(type),
        false,
        Optional.of(type));
  }

  /** A conf kept as JSON and merged as a JSON merge patch ({@link MergePatch}). */
  public static ConfType<JsonNode> json() {
    return new ConfType<>(
        node -> node,
        (earlier, later) -> {
          ObjectNode out = JsonNodeFactory.instance.objectNode();
          MergePatch.apply(out, earlier);
          MergePatch.apply(out, later);
          return out;
        },
        JsonNodeFactory.instance.objectNode(),
        true,
        Optional.empty());
  }

  /** One {@code default} block, decoded; an absent block is the empty conf. */
  C decode(JsonNode block) {
    return block == null || block.isMissingNode() || block.isNull() ? empty : decode.apply(block);
  }

  /**
   * The parts merged in order; {@code json} is the same merge as JSON, which a JSON conf simply is.
   */
  @SuppressWarnings("unchecked") // json() is the only ConfType whose C is JsonNode
  C merged(List<C> parts, ObjectNode json) {
    if (this.json) {
      return (C) json;
    }
    C out = empty;
    for (C part : parts) {
      out = merge.apply(out, part);
    }
    return out;
  }

  /** The record a typed conf decodes to; empty for a JSON conf. */
  public Optional<Class<?>> recordType() {
    return record;
  }

  C empty() {
    return empty;
  }
}
