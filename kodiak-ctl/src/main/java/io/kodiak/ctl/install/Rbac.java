package io.kodiak.ctl.install;

import static io.kodiak.ctl.install.ControlPlaneManifests.NAME;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.kubernetes.CustomResourceDefinitions;
import java.util.List;

/**
 * The control plane's identity and rights: a ServiceAccount; a ClusterRole for Kuma's resources in
 * every namespace and cluster-wide reads (Pods, Services, Namespaces), token reviews and events; a
 * Role for what lives only in its own namespace (its Secrets, settings ConfigMap and leader Lease),
 * so it cannot read other namespaces' Secrets.
 */
final class Rbac {
  private static final String RBAC = "rbac.authorization.k8s.io/v1";
  private static final String[] READ = {"get", "list", "watch"};
  private static final String[] WRITE = {
    "get", "list", "watch", "create", "update", "patch", "delete"
  };

  private Rbac() {}

  static List<ObjectNode> objects(String namespace) {
    return List.of(
        KubeObjects.namespaced("v1", "ServiceAccount", NAME, namespace),
        clusterRole(),
        binding(
            KubeObjects.clusterScoped(RBAC, "ClusterRoleBinding", NAME), "ClusterRole", namespace),
        role(namespace),
        binding(KubeObjects.namespaced(RBAC, "RoleBinding", NAME, namespace), "Role", namespace));
  }

  private static ObjectNode clusterRole() {
    ObjectNode role = KubeObjects.clusterScoped(RBAC, "ClusterRole", NAME);
    ArrayNode rules = role.putArray("rules");
    ArrayNode kuma = KubeObjects.JSON.arrayNode();
    ArrayNode finalizers = KubeObjects.JSON.arrayNode();
    // each CRD by name rather than "*": another product's kuma.io resources are not ours to touch
    CustomResourceDefinitions.types()
        .forEach(
            type -> {
              kuma.add(type.path());
              finalizers.add(type.path() + "/finalizers");
            });
    rule(rules, CustomResourceDefinitions.GROUP, kuma, WRITE);
    // an owner reference that blocks its owner's deletion needs this where the API server checks
    // it (OwnerReferencesPermissionEnforcement); mesh-scoped objects are owned by their Mesh
    rule(rules, CustomResourceDefinitions.GROUP, finalizers, "update");
    rule(rules, "", KubeObjects.strings("pods", "services", "namespaces"), READ);
    // a Pod's Dataplane is owned by the Pod and blocks its deletion until the Dataplane is gone
    rule(rules, "", KubeObjects.strings("pods/finalizers"), "update");
    rule(rules, "", KubeObjects.strings("events"), "create", "patch");
    rule(rules, "events.k8s.io", KubeObjects.strings("events"), "create", "patch");
    rule(rules, "authentication.k8s.io", KubeObjects.strings("tokenreviews"), "create");
    return role;
  }

  private static ObjectNode role(String namespace) {
    ObjectNode role = KubeObjects.namespaced(RBAC, "Role", NAME, namespace);
    ArrayNode rules = role.putArray("rules");
    rule(rules, "", KubeObjects.strings("secrets", "configmaps"), WRITE);
    rule(rules, "coordination.k8s.io", KubeObjects.strings("leases"), WRITE);
    return role;
  }

  private static void rule(ArrayNode rules, String group, ArrayNode resources, String... verbs) {
    ObjectNode rule = rules.addObject();
    rule.set("apiGroups", KubeObjects.strings(group));
    rule.set("resources", resources);
    rule.set("verbs", KubeObjects.strings(verbs));
  }

  private static ObjectNode binding(ObjectNode binding, String roleKind, String namespace) {
    binding
        .putObject("roleRef")
        .put("apiGroup", "rbac.authorization.k8s.io")
        .put("kind", roleKind)
        .put("name", NAME);
    binding
        .putArray("subjects")
        .addObject()
        .put("kind", "ServiceAccount")
        .put("name", NAME)
        .put("namespace", namespace);
    return binding;
  }
}
