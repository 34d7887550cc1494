package io.ava.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/** One scrape of a server's /metrics (Prometheus text format), with the series by name and labels. */
final class Scrape {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String text;
    final String contentType;
    /** "name{k=\"v\",...}" (or "name") to value */
    final Map<String, Double> series = new LinkedHashMap<>();

    private Scrape(String text, String contentType) {
        this.text = text;
        this.contentType = contentType;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
    }

    static Scrape of(ServerProcess server) throws IOException, InterruptedException {
        if (server.metricsPort() == 0) {
            throw new AssertionError("the server did not say where its metrics are\n" + server.logTail(20));
        }
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET /metrics answered " + r.statusCode() + ": " + r.body());
        }
        return new Scrape(r.body(), r.headers().firstValue("Content-Type").orElse(""));
    }

    /** Scrapes until the condition holds or time runs out; returns the last scrape. */
    static Scrape await(ServerProcess server, Predicate<Scrape> condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Scrape last = of(server);
        while (!condition.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            last = of(server);
        }
        return last;
    }

    /** The sum of the series of that name whose labels include every given k="v" (labels: k1, v1, k2, v2, ...). */
    double value(String name, String... labels) {
        double sum = 0;
        boolean found = false;
        for (Map.Entry<String, Double> e : series.entrySet()) {
            String key = e.getKey();
            int brace = key.indexOf('{');
            if (!(brace < 0 ? key : key.substring(0, brace)).equals(name)) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i + 1 < labels.length; i += 2) {
                all &= brace >= 0 && key.substring(brace).matches(".*[{,]" + labels[i] + "=\"" + java.util.regex.Pattern.quote(labels[i + 1]) + "\"[,}].*");
            }
            if (all) {
                sum += e.getValue();
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }
}
