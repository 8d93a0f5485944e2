package io.kodiak.xds.server;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources.ApiVersion;
import io.envoyproxy.controlplane.server.serializer.ProtoResourcesSerializer;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Packs each resource for the wire once, however many streams it is sent on: a shared outbound's
 * cluster reaches every caller of its service, and each response used to serialize it again. The
 * packed form is kept as long as the resource is (weakly keyed: the published configs hold the
 * resources). A resource instance is found by its memoized hash code and identity; an equal copy
 * compares by content and is served the same bytes. Thread-safe (gRPC threads share it).
 */
final class SharedResourceSerializer implements ProtoResourcesSerializer {
  private final Map<Message, Any> packed = Collections.synchronizedMap(new WeakHashMap<>());

  @Override
  public Any serialize(Message resource, ApiVersion apiVersion) {
    Any any = packed.get(resource);
    if (any == null) {
      any = Any.pack(resource); // outside the lock: two threads may both pack, both right
      packed.put(resource, any);
    }
    return any;
  }
}
