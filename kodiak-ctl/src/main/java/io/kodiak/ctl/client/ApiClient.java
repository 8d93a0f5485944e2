package io.kodiak.ctl.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A small blocking client of the REST API. Uses {@link HttpURLConnection} because it loads far
 * fewer classes than {@code java.net.http}, which keeps the CLI's start-up short. Not thread-safe.
 */
public final class ApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String baseUrl;
  private final Optional<String> token;

  public ApiClient(String baseUrl, Optional<String> token) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token;
  }

  public String baseUrl() {
    return baseUrl;
  }

  public JsonNode get(String path) {
    return send("GET", path, null).body();
  }

  /** GETs a plain-text answer (Envoy's stats or clusters relayed by the control plane). */
  public String getText(String path) {
    return send("GET", path, null).body().path("text").asText();
  }

  /** PUTs a JSON body; returns whether the resource was created (201) rather than updated. */
  public boolean put(String path, JsonNode body) {
    return send("PUT", path, body).status() == 201;
  }

  public void delete(String path) {
    send("DELETE", path, null);
  }

  /** POSTs JSON and returns the answer as text (tokens come back as plain text). */
  public String postForText(String path, JsonNode body) {
    return send("POST", path, body).body().path("text").asText();
  }

  private Response send(String method, String path, JsonNode body) {
    HttpURLConnection connection;
    try {
      URL url = URI.create(baseUrl + path).toURL();
      connection = (HttpURLConnection) url.openConnection();
      connection.setRequestMethod(method);
      connection.setConnectTimeout(5_000);
      connection.setReadTimeout(60_000);
      connection.setRequestProperty("Accept", "application/json");
      token.ifPresent(t -> connection.setRequestProperty("Authorization", "Bearer " + t));
      if (body != null) {
        connection.setDoOutput(true);
        connection.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = connection.getOutputStream()) {
          out.write(JSON.writeValueAsBytes(body));
        }
      }
      int status = connection.getResponseCode();
      InputStream stream =
          status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      String text = stream == null ? "" : new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      String type = connection.getContentType() == null ? "" : connection.getContentType();
      JsonNode parsed =
          type.startsWith("text/plain")
              ? JSON.createObjectNode().put("text", text)
              : text.isBlank() ? JSON.createObjectNode() : parse(text);
      if (status >= 400) {
        throw failure(status, parsed, text);
      }
      return new Response(status, parsed);
    } catch (ConnectException e) {
      throw new ApiFailure(
          0,
          "cannot reach the control plane at "
              + baseUrl
              + ": "
              + e.getMessage()
              + ". Is it running ('make run')? Check 'kodiakctl config control-planes list'.",
          List.of());
    } catch (IOException e) {
      throw new ApiFailure(0, "request to " + baseUrl + path + " failed: " + e, List.of());
    }
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return JSON.createObjectNode().put("detail", text);
    }
  }

  private static ApiFailure failure(int status, JsonNode body, String raw) {
    String title = body.path("title").asText("");
    String detail = body.path("detail").asText(raw.isBlank() ? "HTTP " + status : raw.strip());
    List<String> invalid = new ArrayList<>();
    for (JsonNode p : body.path("invalid_parameters")) {
      String field = p.path("field").asText("");
      invalid.add(
          field.isEmpty() ? p.path("reason").asText() : field + ": " + p.path("reason").asText());
    }
    String message = title.isEmpty() || detail.startsWith(title) ? detail : title + ": " + detail;
    return new ApiFailure(status, message, invalid);
  }

  private record Response(int status, JsonNode body) {}
}
