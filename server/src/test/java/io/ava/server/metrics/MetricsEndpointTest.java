package io.ava.server.metrics;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsEndpointTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(String method, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheScrapeAtSlashMetrics() throws Exception {
        ServerMetrics m = new ServerMetrics(List.of("clFinish"), List.of("cl_mem"));
        m.call(0, 1_000, 0);
        try (MetricsEndpoint e = MetricsEndpoint.start("127.0.0.1", 0, m)) {
            assertTrue(e.port() > 0);
            HttpResponse<String> r = send("GET", e.port(), "/metrics");
            assertEquals(200, r.statusCode());
            assertEquals(MetricsEndpoint.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(""));
            assertTrue(r.body().contains("ava_calls_total{function=\"clFinish\"} 1.0"), r.body());
            m.call(0, 1_000, 0);
            assertTrue(send("GET", e.port(), "/metrics").body().contains("ava_calls_total{function=\"clFinish\"} 2.0"));
            assertEquals(404, send("GET", e.port(), "/other").statusCode());
            assertEquals(404, send("GET", e.port(), "/metricsfoo").statusCode());
            assertEquals(405, send("POST", e.port(), "/metrics").statusCode());
            int port = e.port();
            e.close();
            assertThrows(java.io.IOException.class, () -> send("GET", port, "/metrics"), "closed: no port open any more");
        }
    }
}
