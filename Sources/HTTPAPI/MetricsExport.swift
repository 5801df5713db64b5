import CoreMetrics
import Prometheus

/// The process's Prometheus registry. swift-metrics allows one bootstrap per process;
/// touching `registry` does it once. Metrics made before are no-ops, so the gateway
/// touches it before it creates its counters.
public enum MetricsExport {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets["pilegate_store_batch_size"] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}
