package io.kodiak.cp.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.ca.Pem;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.text.Printable;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.store.api.ResourceStore;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Dataplane tokens (Kuma's): RS256 JWTs signed with a key per mesh, kept as the Secret {@code
 * dataplane-token-signing-key-<mesh>}; claims {@code Name}, {@code Mesh}, {@code Tags}, {@code
 * exp}, {@code jti}. Revoked token ids are listed, comma-separated, in the Secret {@code
 * dataplane-token-revocations-<mesh>}. Thread-safe.
 */
public final class DataplaneTokens implements ProxyCredentials {
  private final ResourceManager manager; // creates a mesh's signing key
  private final ResourceStore store; // reads
  private final Clock clock;

  public DataplaneTokens(ResourceManager manager, Clock clock) {
    this.manager = manager;
    this.store = manager.store();
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
    claims
        .put("iat", now.getEpochSecond())
        .put("exp", now.plus(validFor).getEpochSecond())
        .put("jti", UUID.randomUUID().toString());
    return Jwt.sign(claims, signingKey(mesh));
  }

  /**
   * Checks what needs no Dataplane (format, signature, mesh, expiry, revocation), so a proxy is
   * authenticated before anything it sent is parsed; {@link Verified#refusalFor} then checks the
   * name and tags the token binds. Refusals are said to the proxy and never include the token.
   */
  @Override
  public Verification verify(String token, String mesh) {
    if (token == null || token.isBlank()) {
      return new Refused(
          "no dataplane token: generate one with 'kodiakctl generate dataplane-token --mesh "
              + Printable.escaped(mesh, Printable.ECHO_LIMIT)
              + " --name <proxy name>' and pass it with --dataplane-token-file");
    }
    Optional<PrivateKey> key = existingKey(mesh);
    if (key.isEmpty()) {
      return new Refused(
          "no dataplane token is valid for mesh \""
              + Printable.escaped(mesh, Printable.ECHO_LIMIT)
              + "\": it has issued none (does the mesh exist?)");
    }
    Optional<JsonNode> verified = Jwt.verify(token, publicKey(key.get()));
    if (verified.isEmpty()) {
      return new Refused(
          "the dataplane token is not valid for mesh \""
              + Printable.escaped(mesh, Printable.ECHO_LIMIT)
              + "\" (bad signature or format)");
    }
    JsonNode claims = verified.get();
    if (!mesh.equals(claims.path("Mesh").asText())) {
      return new Refused(
          "the dataplane token is for mesh \""
              + claims.path("Mesh").asText()
              + "\", not \""
              + Printable.escaped(mesh, Printable.ECHO_LIMIT)
              + "\"");
    }
    if (claims.path("exp").asLong(0) <= clock.instant().getEpochSecond()) {
      return new Refused("the dataplane token expired");
    }
    if (revoked(mesh).contains(claims.path("jti").asText())) {
      return new Refused("the dataplane token was revoked");
    }
    return new Verified(claims);
  }

  /** The outcome of {@link #verify}. */
  public sealed interface Verification permits Refused, Verified {}

  /** Why the token admits no proxy at all. */
  public record Refused(String reason) implements Verification {}

  /** A genuine, current token; which proxy it admits is {@link #refusalFor}'s question. */
  public record Verified(JsonNode claims) implements Verification {
    /** What stands for a token when proxy authentication is off: it binds no name and no tags. */
    public static final Verified UNCHECKED = new Verified(Documents.JSON.createObjectNode());

    /**
     * Why this token does not admit the proxy {@code name} with these inbounds, or empty when it
     * does. A token that names tags allows only those values: every inbound must carry each such
     * tag with a value the token lists, so no inbound can claim a service the token does not grant.
     */
    public Optional<String> refusalFor(String name, List<Map<String, String>> inboundTags) {
      String boundName = claims.path("Name").asText("");
      if (!boundName.isEmpty() && !boundName.equals(name)) {
        return Optional.of(
            "the dataplane token belongs to dataplane \""
                + boundName
                + "\", not \""
                + Printable.escaped(name, Printable.ECHO_LIMIT)
                + "\"");
      }
      Iterator<Map.Entry<String, JsonNode>> bound = claims.path("Tags").fields();
      while (bound.hasNext()) {
        Map.Entry<String, JsonNode> tag = bound.next();
        Set<String> allowed = new TreeSet<>();
        tag.getValue().forEach(v -> allowed.add(v.asText()));
        if (inboundTags.isEmpty()) {
          return Optional.of(
              "the dataplane token requires tag "
                  + tag.getKey()
                  + " to be one of "
                  + allowed
                  + ", but the Dataplane has no inbound");
        }
        for (int i = 0; i < inboundTags.size(); i++) {
          String value = inboundTags.get(i).get(tag.getKey());
          if (value == null || !allowed.contains(value)) {
            return Optional.of(
                "the dataplane token allows tag "
                    + tag.getKey()
                    + " only to be one of "
                    + allowed
                    + ", but networking.inbound["
                    + i
                    + "] has "
                    + (value == null
                        ? "no such tag"
                        : "\"" + Printable.escaped(value, Printable.ECHO_LIMIT) + "\""));
          }
        }
      }
      return Optional.empty();
    }
  }

  /**
   * Whether {@code secret} decides which tokens of its mesh are valid (its signing key or
   * revocation list).
   */
  public static boolean decidesValidity(Resource secret) {
    return secret.type() == ResourceCatalog.SECRET
        && (secret.name().equals(keyName(secret.mesh()))
            || secret.name().equals(revocationsName(secret.mesh())));
  }

  private Set<String> revoked(String mesh) {
    return store
        .get(ResourceKey.of(ResourceCatalog.SECRET, mesh, revocationsName(mesh)))
        .map(
            s ->
                Arrays.stream(
                        new String(
                                Base64.getDecoder().decode(s.spec().path("data").asText()),
                                StandardCharsets.UTF_8)
                            .split(","))
                    .map(String::trim)
                    .filter(id -> !id.isEmpty())
                    .collect(Collectors.toSet()))
        .orElse(
            Set.of()); // repeated or empty ids (a,,a) are a list an operator wrote, not an error
  }

  private synchronized PrivateKey signingKey(String mesh) {
    Optional<PrivateKey> existing = existingKey(mesh);
    if (existing.isPresent()) {
      return existing.get();
    }
    String pem;
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      pem = Pem.encode(generator.generateKeyPair().getPrivate());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot create the dataplane token signing key of mesh " + mesh, e);
    }
    String data = Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
    // a key created concurrently (another replica) is kept and returned: every token is signed by
    // the stored one
    Resource stored =
        manager.createSystemResource(
            ResourceCodec.decode(
                Documents.JSON
                    .createObjectNode()
                    .put("type", "Secret")
                    .put("mesh", mesh)
                    .put("name", keyName(mesh))
                    .put("data", data)),
            "dataplane token signing key of mesh " + mesh);
    return privateKey(stored);
  }

  private Optional<PrivateKey> existingKey(String mesh) {
    return store
        .get(ResourceKey.of(ResourceCatalog.SECRET, mesh, keyName(mesh)))
        .map(DataplaneTokens::privateKey);
  }

  private static PrivateKey privateKey(Resource secret) {
    return Pem.privateKey(
        new String(
            Base64.getDecoder().decode(secret.spec().path("data").asText()),
            StandardCharsets.UTF_8));
  }

  private static PublicKey publicKey(PrivateKey key) {
    try {
      RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) key;
      return KeyFactory.getInstance("RSA")
          .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String revocationsName(String mesh) {
    return "dataplane-token-revocations-" + mesh;
  }

  private static String keyName(String mesh) {
    return "dataplane-token-signing-key-" + mesh;
  }
}
