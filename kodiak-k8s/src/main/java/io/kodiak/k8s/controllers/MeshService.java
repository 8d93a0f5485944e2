package io.kodiak.k8s.controllers;

/**
 * A port of a Kubernetes Service in a mesh, as its callers' outbounds name it: {@code
 * <service>_<namespace>_svc_<port>} at the Service's cluster IP.
 */
record MeshService(String name, String address, int port) {}
