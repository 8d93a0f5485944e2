package io.kodiak.cp.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.codec.Documents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Optional;

/** Minimal RS256 JSON Web Tokens: sign, and verify-then-read. Stateless. */
final class Jwt {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private Jwt() {}

  static String sign(ObjectNode claims, PrivateKey key) {
    ObjectNode header = Documents.JSON.createObjectNode().put("alg", "RS256").put("typ", "JWT");
    String body = encode(header) + "." + encode(claims);
    try {
      Signature signer = Signature.getInstance("SHA256withRSA");
      signer.initSign(key);
      signer.update(body.getBytes(StandardCharsets.US_ASCII));
      return body + "." + ENCODER.encodeToString(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
  }

  /** The claims, if the token is well-formed RS256 and its signature verifies with {@code key}. */
  static Optional<JsonNode> verify(String token, PublicKey key) {
    String[] parts = token.trim().split("\\.");
    if (parts.length != 3) {
      return Optional.empty();
    }
    try {
      JsonNode header = Documents.JSON.readTree(DECODER.decode(parts[0]));
      if (!"RS256".equals(header.path("alg").asText())) {
        return Optional.empty();
      }
      Signature verifier = Signature.getInstance("SHA256withRSA");
      verifier.initVerify(key);
      verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!verifier.verify(DECODER.decode(parts[2]))) {
        return Optional.empty();
      }
      return Optional.of(Documents.JSON.readTree(DECODER.decode(parts[1])));
    } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static String encode(JsonNode node) {
    return ENCODER.encodeToString(node.toString().getBytes(StandardCharsets.UTF_8));
  }
}
