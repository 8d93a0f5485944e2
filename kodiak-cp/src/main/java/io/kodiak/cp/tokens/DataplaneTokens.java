package io.kodiak.cp.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.ca.Pem;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.store.api.ResourceAlreadyExistsException;
import io.kodiak.store.api.ResourceStore;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Dataplane tokens (Kuma's): RS256 JWTs signed with a key per mesh, kept as the Secret
 * {@code dataplane-token-signing-key-<mesh>}; claims {@code Name}, {@code Mesh}, {@code Tags},
 * {@code exp}, {@code jti}. Revoked token ids are listed, comma-separated, in the Secret
 * {@code dataplane-token-revocations-<mesh>}. Thread-safe.
 */
public final class DataplaneTokens {
  private final ResourceStore store;
  private final Clock clock;

  public DataplaneTokens(ResourceStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Issues a token for a proxy of {@code mesh}; empty name or tags mean "any". */
  public String issue(String mesh, String name, Map<String, Set<String>> tags, Duration validFor) {
    if (store.get(ResourceKey.of(ResourceCatalog.MESH, "", mesh)).isEmpty()) {
      throw ValidationException.of("mesh", "mesh \"" + mesh + "\" does not exist");
    }
    Instant now = clock.instant();
    ObjectNode claims = Documents.JSON.createObjectNode();
    claims.put("Name", name).put("Mesh", mesh).put("Type", "dataplane");
    ObjectNode tagClaims = claims.putObject("Tags");
    tags.forEach((k, values) -> values.forEach(v -> tagClaims.withArrayProperty(k).add(v)));
    claims.put("iat", now.getEpochSecond()).put("exp", now.plus(validFor).getEpochSecond())
        .put("jti", UUID.randomUUID().toString());
    return Jwt.sign(claims, signingKey(mesh));
  }

  /**
   * Checks that {@code token} lets the proxy {@code name} with {@code tags} into {@code mesh}.
   *
   * @return empty when it does, otherwise why not (said to the proxy; never includes the token)
   */
  public Optional<String> refusal(String token, String mesh, String name, Map<String, Set<String>> tags) {
    if (token == null || token.isBlank()) {
      return Optional.of("no dataplane token: generate one with 'kodiakctl generate dataplane-token --mesh " + mesh
          + " --name " + name + "' and pass it with --dataplane-token-file");
    }
    Optional<PrivateKey> key = existingKey(mesh);
    Optional<JsonNode> verified = key.flatMap(k -> Jwt.verify(token, publicKey(k)));
    if (verified.isEmpty()) {
      return Optional.of("the dataplane token is not valid for mesh \"" + mesh + "\" (bad signature or format)");
    }
    JsonNode claims = verified.get();
    if (!mesh.equals(claims.path("Mesh").asText())) {
      return Optional.of("the dataplane token is for mesh \"" + claims.path("Mesh").asText() + "\", not \"" + mesh + "\"");
    }
    if (claims.path("exp").asLong(0) <= clock.instant().getEpochSecond()) {
      return Optional.of("the dataplane token expired");
    }
    if (revoked(mesh).contains(claims.path("jti").asText())) {
      return Optional.of("the dataplane token was revoked");
    }
    String boundName = claims.path("Name").asText("");
    if (!boundName.isEmpty() && !boundName.equals(name)) {
      return Optional.of("the dataplane token belongs to dataplane \"" + boundName + "\", not \"" + name + "\"");
    }
    Iterator<Map.Entry<String, JsonNode>> bound = claims.path("Tags").fields();
    while (bound.hasNext()) {
      Map.Entry<String, JsonNode> tag = bound.next();
      boolean ok = false;
      for (JsonNode allowed : tag.getValue()) {
        ok |= tags.getOrDefault(tag.getKey(), Set.of()).contains(allowed.asText());
      }
      if (!ok) {
        return Optional.of("the dataplane token requires tag " + tag.getKey() + " to be one of " + tag.getValue());
      }
    }
    return Optional.empty();
  }

  private Set<String> revoked(String mesh) {
    return store.get(ResourceKey.of(ResourceCatalog.SECRET, mesh, "dataplane-token-revocations-" + mesh))
        .map(s -> Set.of(new String(Base64.getDecoder().decode(s.spec().path("data").asText()), StandardCharsets.UTF_8)
            .trim().split("\\s*,\\s*")))
        .orElse(Set.of());
  }

  private synchronized PrivateKey signingKey(String mesh) {
    Optional<PrivateKey> existing = existingKey(mesh);
    if (existing.isPresent()) {
      return existing.get();
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      String pem = Pem.encode(generator.generateKeyPair().getPrivate());
      String data = Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
      store.create(ResourceCodec.decode(Documents.JSON.createObjectNode().put("type", "Secret").put("mesh", mesh)
          .put("name", keyName(mesh)).put("data", data)));
    } catch (ResourceAlreadyExistsException e) {
      // created concurrently; use the stored one
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot create the dataplane token signing key of mesh " + mesh, e);
    }
    return existingKey(mesh).orElseThrow();
  }

  private Optional<PrivateKey> existingKey(String mesh) {
    return store.get(ResourceKey.of(ResourceCatalog.SECRET, mesh, keyName(mesh)))
        .map(s -> Pem.privateKey(new String(Base64.getDecoder().decode(s.spec().path("data").asText()),
            StandardCharsets.UTF_8)));
  }

  private static PublicKey publicKey(PrivateKey key) {
    try {
      RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) key;
      return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String keyName(String mesh) {
    return "dataplane-token-signing-key-" + mesh;
  }
}
