package io.kodiak.policy.meshproxypatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Any;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.kodiak.model.codec.Documents;
import io.kodiak.xds.envoy.ProtoJson;
import java.util.function.Supplier;

/**
 * The Envoy values of a proxy patch: {@code value} (YAML or JSON of the target's Envoy type),
 * merged the protobuf way (fields set, lists appended) or JSON patches applied to its JSON form.
 */
final class PatchValues {
  private PatchValues() {}

  /** The Envoy type each modification target carries. */
  static Supplier<Message.Builder> builderFor(String target) {
    return switch (target) {
      case "cluster" -> Cluster::newBuilder;
      case "listener" -> Listener::newBuilder;
      case "networkFilter" -> Filter::newBuilder;
      case "httpFilter" -> HttpFilter::newBuilder;
      case "virtualHost" -> VirtualHost::newBuilder;
      default -> throw new IllegalArgumentException("unknown target " + target);
    };
  }

  /** Parses a {@code value}; the message says what does not fit the Envoy type. */
  static <M extends Message> M parse(String value, Message.Builder builder)
      throws InvalidProtocolBufferException {
    JsonNode tree = Documents.parse(value);
    @SuppressWarnings("unchecked")
    M parsed = (M) ProtoJson.parse(Documents.toJson(tree), builder).build();
    return parsed;
  }

  /** {@code message} with the modification's value merged in or its JSON patches applied. */
  @SuppressWarnings("unchecked")
  static <M extends Message> M patch(M message, JsonNode modification)
      throws InvalidProtocolBufferException {
    if (modification.has("value")) {
      M value = parse(modification.path("value").asText(), message.newBuilderForType());
      return (M) mergeTyped(message, value);
    }
    JsonNode json = Documents.parse(ProtoJson.print(message));
    JsonNode patched = JsonPatch.apply(json, modification.path("jsonPatches"));
    return (M) ProtoJson.parse(Documents.toJson(patched), message.newBuilderForType()).build();
  }

  /** Protobuf merge, except a filter's typed config of the same type is merged unpacked. */
  private static Message mergeTyped(Message base, Message value)
      throws InvalidProtocolBufferException {
    if (base instanceof Filter filter
        && value instanceof Filter patch
        && sameType(filter.getTypedConfig(), patch.getTypedConfig())) {
      return filter.toBuilder()
          .mergeFrom(patch.toBuilder().clearTypedConfig().build())
          .setTypedConfig(mergeAny(filter.getTypedConfig(), patch.getTypedConfig()))
          .build();
    }
    if (base instanceof HttpFilter filter
        && value instanceof HttpFilter patch
        && sameType(filter.getTypedConfig(), patch.getTypedConfig())) {
      return filter.toBuilder()
          .mergeFrom(patch.toBuilder().clearTypedConfig().build())
          .setTypedConfig(mergeAny(filter.getTypedConfig(), patch.getTypedConfig()))
          .build();
    }
    return base.toBuilder().mergeFrom(value).build();
  }

  private static boolean sameType(Any a, Any b) {
    return !a.getTypeUrl().isEmpty() && a.getTypeUrl().equals(b.getTypeUrl());
  }

  /** Merges two Anys of one type by their JSON forms' fields, through the type registry. */
  private static Any mergeAny(Any base, Any patch) throws InvalidProtocolBufferException {
    var descriptor =
        ProtoJson.types().find(base.getTypeUrl().substring(base.getTypeUrl().lastIndexOf('/') + 1));
    if (descriptor == null) {
      return patch;
    }
    DynamicMessage.Builder merged = DynamicMessage.newBuilder(descriptor);
    merged.mergeFrom(base.getValue());
    merged.mergeFrom(patch.getValue());
    return Any.newBuilder()
        .setTypeUrl(base.getTypeUrl())
        .setValue(merged.build().toByteString())
        .build();
  }
}
