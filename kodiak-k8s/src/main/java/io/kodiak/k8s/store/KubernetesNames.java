package io.kodiak.k8s.store;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.kubernetes.CustomResourceDefinitions;

/**
 * Where a resource lives on Kubernetes. A namespaced object named {@code web-01} in namespace
 * {@code kuma-demo} is {@code web-01.kuma-demo} to Kodiak (Kuma's rule). One in the control plane's
 * system namespace keeps its plain name unless that name has a dot (then it is {@code name.<system
 * namespace>} too, so it reads back to the same object), and a Kodiak name without a dot goes there
 * (the defaults the control plane writes). Secrets always live in the system namespace under their
 * whole name ({@code default.ca-builtin-cert-ca-1}). Mesh is cluster-scoped. Immutable.
 */
final class KubernetesNames {
  private final String systemNamespace;

  KubernetesNames(String systemNamespace) {
    this.systemNamespace = systemNamespace;
  }

  String systemNamespace() {
    return systemNamespace;
  }

  /** The object's namespace, or null for a cluster-scoped one. */
  String namespace(ResourceKey key) {
    if (!CustomResourceDefinitions.namespaced(key.type())) {
      return null;
    }
    if (key.type() == ResourceCatalog.SECRET) {
      return systemNamespace;
    }
    int dot = key.name().lastIndexOf('.');
    return dot < 0 ? systemNamespace : key.name().substring(dot + 1);
  }

  /** The object's name within its namespace. */
  String objectName(ResourceKey key) {
    if (!CustomResourceDefinitions.namespaced(key.type()) || key.type() == ResourceCatalog.SECRET) {
      return key.name();
    }
    int dot = key.name().lastIndexOf('.');
    return dot < 0 ? key.name() : key.name().substring(0, dot);
  }

  /** Kodiak's name for an object of a custom resource type. */
  String resourceName(String objectName, String namespace) {
    return namespace == null || (namespace.equals(systemNamespace) && objectName.indexOf('.') < 0)
        ? objectName
        : objectName + "." + namespace;
  }
}
