package io.kodiak.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * The demo's applications, plain JDK servers with no mesh awareness:
 *
 * <ul>
 *   <li>{@code backend PORT NAME}: answers {@code GET /} with its name;
 *   <li>{@code frontend PORT BACKEND_URL}: answers {@code GET /} by calling the backend;
 *   <li>{@code echo PORT}: a TCP echo server.
 * </ul>
 */
public final class DemoApp {
  private DemoApp() {}

  public static void main(String[] args) throws IOException {
    // The JDK's HTTP server writes headers and body apart; with Nagle on, every answer through a
    // proxy would wait ~40 ms for a delayed ACK.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    if (args.length < 2) {
      System.err.println(
          "usage: DemoApp backend PORT NAME | frontend PORT BACKEND_URL | echo PORT | spans PORT FILE"
              + " | payload PORT BYTES");
      System.exit(2);
    }
    int port = Integer.parseInt(args[1]);
    switch (args[0]) {
      case "backend" -> backend(port, args.length > 2 ? args[2] : "backend");
      case "frontend" -> frontend(port, args[2]);
      case "echo" -> echo(port);
      case "spans" -> spans(port, Path.of(args[2]));
      case "payload" -> payload(port, Integer.parseInt(args[2]));
      default -> {
        System.err.println("unknown app " + args[0]);
        System.exit(2);
      }
    }
  }

  /** An HTTP backend that says who it is. Returns the server so tests can stop it. */
  public static HttpServer backend(int port, String name) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    server.createContext("/", exchange -> respond(exchange, 200, "hello from " + name + "\n"));
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    System.err.println("backend " + name + " listening on 127.0.0.1:" + port);
    return server;
  }

  /**
   * An HTTP server that reads the request body and answers {@code bytes} bytes: the latency
   * benchmark's server.
   */
  public static HttpServer payload(int port, int bytes) throws IOException {
    byte[] answer = "x".repeat(bytes).getBytes(StandardCharsets.US_ASCII);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, answer.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
          }
        });
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
    System.err.println("payload server answering " + bytes + " bytes on 127.0.0.1:" + port);
    return server;
  }

  /**
   * A Zipkin-API receiver ({@code POST /api/v2/spans}) that appends every batch of spans, one JSON
   * array per line, to a file: enough to see the demo's traces without running Zipkin.
   */
  public static HttpServer spans(int port, Path file) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
    server.createContext(
        "/api/v2/spans",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          synchronized (file) {
            Files.write(
                file,
                (new String(body, StandardCharsets.UTF_8).strip() + "\n")
                    .getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
          }
          exchange.sendResponseHeaders(202, -1);
          exchange.close();
        });
    server.start();
    System.err.println("span receiver (Zipkin API) on 127.0.0.1:" + port + ", writing " + file);
    return server;
  }

  /** The headers that carry a trace from a request to the calls made for it (B3 and W3C). */
  private static final String[] TRACE_HEADERS = {
    "x-request-id",
    "x-b3-traceid",
    "x-b3-spanid",
    "x-b3-parentspanid",
    "x-b3-sampled",
    "x-b3-flags",
    "b3",
    "traceparent",
    "tracestate"
  };

  /** An HTTP frontend that calls the backend through its sidecar and relays the answer. */
  public static HttpServer frontend(int port, String backendUrl) throws IOException {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    server.createContext(
        "/",
        exchange -> {
          try {
            HttpRequest.Builder call =
                HttpRequest.newBuilder(URI.create(backendUrl)).timeout(Duration.ofSeconds(5));
            // forward the trace context, so the sidecars' spans join into one trace
            for (String header : TRACE_HEADERS) {
              String value = exchange.getRequestHeaders().getFirst(header);
              if (value != null) {
                call.header(header, value);
              }
            }
            HttpResponse<String> res =
                client.send(call.build(), HttpResponse.BodyHandlers.ofString());
            respond(exchange, res.statusCode(), "frontend got: " + res.body());
          } catch (IOException e) {
            respond(exchange, 502, "frontend could not reach the backend: " + e + "\n");
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respond(exchange, 503, "interrupted\n");
          }
        });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    System.err.println("frontend listening on 127.0.0.1:" + port + ", calling " + backendUrl);
    return server;
  }

  /** A TCP server that echoes every byte back. */
  public static ServerSocket echo(int port) throws IOException {
    ServerSocket server = new ServerSocket(port, 64, InetAddress.getByName("127.0.0.1"));
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket socket = server.accept();
                  Thread t = new Thread(() -> copy(socket), "echo-" + socket.getPort());
                  t.setDaemon(true);
                  t.start();
                } catch (IOException e) {
                  return;
                }
              }
            },
            "echo-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    System.err.println("echo listening on 127.0.0.1:" + port);
    return server;
  }

  private static void copy(Socket socket) {
    try (socket;
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // the peer went away
    }
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
