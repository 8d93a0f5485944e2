package io.kodiak.k8s.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.core.ResourceMeta;
import io.kodiak.model.kubernetes.CustomResourceDefinitions;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resources as Kubernetes objects, both ways, in Kuma's layout: a policy's mesh in the {@code
 * kuma.io/mesh} label, a Dataplane's in a top-level {@code mesh} field, a Secret as a Kubernetes
 * Secret of Kuma's type with its bytes under {@code data.value}. The version is the object's
 * resourceVersion (it moves on every write, by anyone); the times Kodiak wrote are kept in
 * annotations, and an object written by someone else falls back to its creation timestamp.
 * Stateless.
 */
final class CustomResources {
  static final String MESH_LABEL = "kuma.io/mesh";
  static final String CREATED = "kodiak.io/creation-time";
  static final String MODIFIED = "kodiak.io/modification-time";
  private static final String DEFAULT_MESH = "default";

  private CustomResources() {}

  /** Labels as stored: the resource's own, plus its mesh where the mesh is a label. */
  static Map<String, String> storedLabels(Resource resource) {
    Map<String, String> labels = new LinkedHashMap<>(resource.meta().labels());
    if (resource.type().isMeshScoped()) {
      labels.put(MESH_LABEL, resource.mesh()); // Kuma labels every mesh-scoped object
    }
    return labels;
  }

  static GenericKubernetesResource toObject(
      Resource resource, KubernetesNames names, Instant created, Instant modified) {
    GenericKubernetesResource object = new GenericKubernetesResource();
    object.setApiVersion(CustomResourceDefinitions.API_VERSION);
    object.setKind(resource.type().name());
    object.setMetadata(metadata(resource, names, created, modified));
    Map<String, Object> fields = new HashMap<>();
    if (CustomResourceDefinitions.meshField(resource.type())) {
      fields.put("mesh", resource.mesh());
    }
    fields.put("spec", Documents.JSON.convertValue(resource.spec(), Map.class));
    object.setAdditionalProperties(fields);
    return object;
  }

  static Resource fromObject(
      ResourceType type, GenericKubernetesResource object, KubernetesNames names) {
    ObjectMeta meta = object.getMetadata();
    Map<String, Object> fields = object.getAdditionalProperties();
    Object spec = fields.get("spec");
    ObjectNode specNode =
        spec == null ? Documents.JSON.createObjectNode() : Documents.JSON.valueToTree(spec);
    String mesh = "";
    if (type.isMeshScoped()) {
      Object field = fields.get("mesh");
      String label = labels(meta).get(MESH_LABEL);
      mesh =
          CustomResourceDefinitions.meshField(type) && field != null
              ? field.toString()
              : label != null ? label : DEFAULT_MESH;
    }
    return new Resource(
        ResourceKey.of(type, mesh, names.resourceName(meta.getName(), meta.getNamespace())),
        resourceMeta(meta),
        specNode);
  }

  static Secret toSecret(
      Resource resource, KubernetesNames names, Instant created, Instant modified) {
    return new SecretBuilder()
        .withMetadata(metadata(resource, names, created, modified))
        .withType(CustomResourceDefinitions.SECRET_TYPE)
        .addToData("value", resource.spec().path("data").asText(""))
        .build();
  }

  static Resource fromSecret(ResourceType type, Secret secret, KubernetesNames names) {
    ObjectMeta meta = secret.getMetadata();
    ObjectNode spec = Documents.JSON.createObjectNode();
    String value = secret.getData() == null ? null : secret.getData().get("value");
    spec.put("data", value == null ? "" : value);
    String mesh = labels(meta).getOrDefault(MESH_LABEL, DEFAULT_MESH);
    return new Resource(ResourceKey.of(type, mesh, meta.getName()), resourceMeta(meta), spec);
  }

  /** Whether two resources would store the same object (labels as stored, and spec). */
  static boolean sameContent(Resource a, Resource b) {
    return storedLabels(a).equals(storedLabels(b)) && a.spec().equals(b.spec());
  }

  private static ObjectMeta metadata(
      Resource resource, KubernetesNames names, Instant created, Instant modified) {
    ObjectMeta meta = new ObjectMeta();
    meta.setName(names.objectName(resource.key()));
    meta.setNamespace(names.namespace(resource.key()));
    meta.setLabels(storedLabels(resource));
    meta.setAnnotations(Map.of(CREATED, created.toString(), MODIFIED, modified.toString()));
    return meta;
  }

  /**
   * {@code current} with {@code resource}'s labels and content and a new modification time; the
   * rest (finalizers, owners, other tools' annotations such as kubectl's last-applied one) kept.
   */
  static <T extends HasMetadata> T edited(
      T current, Resource resource, KubernetesNames names, Instant modified) {
    Instant created = resourceMeta(current.getMetadata()).creationTime();
    ObjectMeta meta = current.getMetadata();
    meta.setLabels(storedLabels(resource));
    Map<String, String> annotations =
        new LinkedHashMap<>(meta.getAnnotations() == null ? Map.of() : meta.getAnnotations());
    annotations.put(CREATED, created.toString());
    annotations.put(MODIFIED, modified.toString());
    meta.setAnnotations(annotations);
    if (current instanceof Secret secret) {
      secret.setData(Map.of("value", resource.spec().path("data").asText("")));
    } else if (current instanceof GenericKubernetesResource object) {
      if (CustomResourceDefinitions.meshField(resource.type())) {
        object.getAdditionalProperties().put("mesh", resource.mesh());
      }
      object
          .getAdditionalProperties()
          .put("spec", Documents.JSON.convertValue(resource.spec(), Map.class));
    }
    return current;
  }

  /** Whether the object is on its way out (a finalizer holds it): as good as gone. */
  static boolean deleting(HasMetadata object) {
    return object.getMetadata().getDeletionTimestamp() != null;
  }

  private static ResourceMeta resourceMeta(ObjectMeta meta) {
    Map<String, String> annotations =
        meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
    Instant fallback =
        meta.getCreationTimestamp() == null
            ? Instant.EPOCH
            : Instant.parse(meta.getCreationTimestamp());
    Instant created = instant(annotations.get(CREATED), fallback);
    Instant modified = instant(annotations.get(MODIFIED), created);
    return new ResourceMeta(
        Long.parseLong(meta.getResourceVersion()), created, modified, labels(meta));
  }

  private static Instant instant(String text, Instant fallback) {
    try {
      return text == null ? fallback : Instant.parse(text);
    } catch (RuntimeException e) {
      return fallback; // someone else's annotation: the object's own time is the next best
    }
  }

  private static Map<String, String> labels(ObjectMeta meta) {
    return meta.getLabels() == null ? Map.of() : meta.getLabels();
  }

  /** How the client addresses the type's custom resources. */
  static ResourceDefinitionContext context(ResourceType type) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(CustomResourceDefinitions.GROUP)
        .withVersion(CustomResourceDefinitions.VERSION)
        .withKind(type.name())
        .withPlural(type.path())
        .withNamespaced(CustomResourceDefinitions.namespaced(type))
        .build();
  }
}
