package io.kodiak.e2e.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** Sends real requests through a proxy's outbound listeners. */
public final class Traffic {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private Traffic() {}

  /** One HTTP GET; the status and body, or status 0 when the connection failed. */
  public static Answer get(int port, String path) {
    return get(port, path, Map.of());
  }

  /** One HTTP GET with request headers. */
  public static Answer get(int port, String path, Map<String, String> headers) {
    return get("127.0.0.1", port, path, headers);
  }

  /** One HTTP GET to {@code host} (a Service's cluster IP, say) with request headers. */
  public static Answer get(String host, int port, String path, Map<String, String> headers) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
              .timeout(Duration.ofSeconds(5));
      headers.forEach(request::header);
      HttpResponse<String> res = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(res.statusCode(), res.body());
    } catch (IOException e) {
      return new Answer(0, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(0, "interrupted");
    }
  }

  /** Sends a line over TCP and returns what comes back (the echo), or the error. */
  public static String echo(int port, String text) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
      socket.shutdownOutput();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "error: " + e;
    }
  }

  /** An HTTP answer. */
  /**
   * Sends one line over TCP without half-closing and returns everything the server sends until it
   * closes, or the error.
   */
  public static String request(int port, String line) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout(5000);
      socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "error: " + e;
    }
  }

  public record Answer(int status, String body) {}
}
