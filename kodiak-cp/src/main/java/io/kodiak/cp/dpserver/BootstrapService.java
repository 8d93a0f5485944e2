package io.kodiak.cp.dpserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.cp.tokens.DataplaneTokens.Refused;
import io.kodiak.cp.tokens.DataplaneTokens.Verification;
import io.kodiak.cp.tokens.DataplaneTokens.Verified;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.model.validation.Violations;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.proxy.ProxyModels;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Answers Kuma's BootstrapRequest: checks the Dataplane the agent sends (or finds the stored one)
 * and returns the Envoy bootstrap for it. Storing the Dataplane happens when the stream connects,
 * so a proxy that never starts leaves nothing behind. Thread-safe.
 */
final class BootstrapService {
  private final ResourceManager manager;
  private final DataplaneLifecycle lifecycle;
  private final String advertisedHost;
  private final IntSupplier port;

  /**
   * {@code port} is read per request: with port 0 configured, the bound port is known only after
   * start.
   */
  private final Optional<String> cpCaPem;

  BootstrapService(
      ResourceManager manager,
      DataplaneLifecycle lifecycle,
      String advertisedHost,
      IntSupplier port,
      Optional<String> cpCaPem) {
    this.cpCaPem = cpCaPem;
    this.manager = manager;
    this.lifecycle = lifecycle;
    this.advertisedHost = advertisedHost;
    this.port = port;
  }

  /** What happened: the answer body, or why not. */
  sealed interface Outcome permits Ok, Unknown, Conflict, Unauthenticated {}

  record Unauthenticated(String message) implements Outcome {}

  record Ok(ObjectNode body) implements Outcome {}

  record Unknown(String message) implements Outcome {}

  record Conflict(String message) implements Outcome {}

  /**
   * Authenticates first: the token is verified before the Dataplane in the request is parsed or
   * looked up, so an anonymous caller learns nothing about names or validation rules.
   */
  Outcome bootstrap(String requestBody, String requestHost) {
    JsonNode request;
    try {
      request = Documents.parse(requestBody);
    } catch (ValidationException e) {
      if (lifecycle.requiresTokens()) {
        return new Unauthenticated(
            "no dataplane token: the request is not a JSON bootstrap request");
      }
      throw e;
    }
    String mesh = request.path("mesh").asText("default");
    String name = request.path("name").asText("");
    String token = request.path("dataplaneToken").asText("");
    Verification verification = lifecycle.verifyToken(token, mesh);
    if (verification instanceof Refused refused) {
      return new Unauthenticated(refused.reason());
    }
    String resourceText = request.path("dataplaneResource").asText("");
    Resource dataplane;
    Map<String, String> metadata = new HashMap<>();
    if (!resourceText.isBlank()) {
      dataplane = checkSent(resourceText, mesh, name);
      metadata.put(
          DataplaneLifecycle.DATAPLANE_METADATA,
          Documents.JSON.valueToTree(ResourceCodec.encode(dataplane)).toString());
    } else {
      if (name.isEmpty()) {
        throw ValidationException.of("name", "must be given when no dataplaneResource is sent");
      }
      var stored = manager.store().get(ResourceKey.of(ResourceCatalog.DATAPLANE, mesh, name));
      if (stored.isEmpty()) {
        return new Unknown(
            "Dataplane \"" + name + "\" in mesh \"" + mesh + "\" is not known (yet)");
      }
      dataplane = stored.get();
    }
    Optional<String> refused = DataplaneLifecycle.refusal((Verified) verification, dataplane);
    if (refused.isPresent()) {
      return new Unauthenticated(refused.get());
    }
    if (!token.isEmpty()) {
      metadata.put(DataplaneLifecycle.TOKEN_METADATA, token);
    }
    if (lifecycle.isConnected(dataplane.mesh(), dataplane.name())) {
      return new Conflict(
          "a proxy named \""
              + dataplane.name()
              + "\" is already connected to mesh \""
              + dataplane.mesh()
              + "\"; give this one another name");
    }
    Optional<String> otherReplica =
        lifecycle.heldByAnotherReplica(dataplane.mesh(), dataplane.name());
    if (otherReplica.isPresent()) {
      return new Conflict(
          "a proxy named \""
              + dataplane.name()
              + "\" is already connected to mesh \""
              + dataplane.mesh()
              + "\" through control-plane replica "
              + otherReplica.get()
              + "; give this one another name");
    }
    metadata.put(
        DataplaneLifecycle.AGENT_VERSION_METADATA,
        request.path("version").path("kumaDp").path("version").asText(""));
    ProxyModel proxy = ProxyModels.fromDataplane(dataplane);
    String host = advertisedHost.isEmpty() ? requestHost : advertisedHost;
    List<ControlPlaneAddress> controlPlanes =
        ControlPlaneAddress.listed(request.path("controlPlaneAddresses"))
            .orElse(List.of(new ControlPlaneAddress(host, port.getAsInt())));
    String bootstrap = BootstrapRenderer.render(proxy, metadata, controlPlanes, cpCaPem);
    ObjectNode body = Documents.JSON.createObjectNode();
    body.put(
        "bootstrap",
        Base64.getEncoder().encodeToString(bootstrap.getBytes(StandardCharsets.UTF_8)));
    ObjectNode sidecar = body.putObject("kumaSidecarConfiguration");
    sidecar
        .putObject("networking")
        .put("isUsingTransparentProxy", false)
        .put("address", proxy.address());
    sidecar.putObject("metrics").putArray("aggregate");
    return new Ok(body);
  }

  private Resource checkSent(String text, String mesh, String name) {
    JsonNode parsed = Documents.parse(text);
    if (!(parsed instanceof ObjectNode document)) {
      throw ValidationException.of("dataplaneResource", "must be a Dataplane object");
    }
    Violations mismatches = new Violations();
    String sentName = document.path("name").asText("");
    if (!name.isEmpty() && !sentName.isEmpty() && !sentName.equals(name)) {
      mismatches.add(
          FieldPath.of("name"),
          "\"" + name + "\" does not match the Dataplane's name \"" + sentName + "\"");
    }
    String sentMesh = document.path("mesh").asText("");
    if (!sentMesh.isEmpty() && !sentMesh.equals(mesh)) {
      mismatches.add(
          FieldPath.of("mesh"),
          "\"" + mesh + "\" does not match the Dataplane's mesh \"" + sentMesh + "\"");
    }
    mismatches.throwIfAny();
    document.put("mesh", mesh);
    if (sentName.isEmpty()) {
      document.put("name", name);
    }
    Resource dataplane = manager.validate(document);
    if (manager.store().get(ResourceKey.of(ResourceCatalog.MESH, "", mesh)).isEmpty()) {
      throw ValidationException.of("mesh", "mesh \"" + mesh + "\" does not exist; create it first");
    }
    return dataplane;
  }
}
