package io.kodiak.e2e.observability;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real OTLP/gRPC endpoint (the collector's metrics, trace and logs services) that keeps what it
 * receives, for tests.
 */
final class OtlpReceiver implements AutoCloseable {
  final List<ExportMetricsServiceRequest> metrics = new CopyOnWriteArrayList<>();
  final List<ExportTraceServiceRequest> traces = new CopyOnWriteArrayList<>();
  final List<ExportLogsServiceRequest> logs = new CopyOnWriteArrayList<>();
  private final Server server;

  OtlpReceiver() throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new MetricsServiceGrpc.MetricsServiceImplBase() {
                  @Override
                  public void export(
                      ExportMetricsServiceRequest request,
                      StreamObserver<ExportMetricsServiceResponse> out) {
                    metrics.add(request);
                    out.onNext(ExportMetricsServiceResponse.getDefaultInstance());
                    out.onCompleted();
                  }
                })
            .addService(
                new TraceServiceGrpc.TraceServiceImplBase() {
                  @Override
                  public void export(
                      ExportTraceServiceRequest request,
                      StreamObserver<ExportTraceServiceResponse> out) {
                    traces.add(request);
                    out.onNext(ExportTraceServiceResponse.getDefaultInstance());
                    out.onCompleted();
                  }
                })
            .addService(
                new LogsServiceGrpc.LogsServiceImplBase() {
                  @Override
                  public void export(
                      ExportLogsServiceRequest request,
                      StreamObserver<ExportLogsServiceResponse> out) {
                    logs.add(request);
                    out.onNext(ExportLogsServiceResponse.getDefaultInstance());
                    out.onCompleted();
                  }
                })
            .build()
            .start();
  }

  int port() {
    return server.getPort();
  }

  /** The service.name of every resource that sent spans. */
  Set<String> spanServices() {
    Set<String> out = new TreeSet<>();
    for (var request : traces) {
      for (var resource : request.getResourceSpansList()) {
        resource.getResource().getAttributesList().stream()
            .filter(a -> a.getKey().equals("service.name"))
            .forEach(a -> out.add(a.getValue().getStringValue()));
      }
    }
    return out;
  }

  /** The string bodies of every log record received. */
  Set<String> logBodies() {
    Set<String> out = new TreeSet<>();
    for (var request : logs) {
      for (var resource : request.getResourceLogsList()) {
        for (var scope : resource.getScopeLogsList()) {
          scope.getLogRecordsList().forEach(r -> out.add(r.getBody().getStringValue()));
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
