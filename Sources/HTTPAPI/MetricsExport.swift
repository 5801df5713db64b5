import CoreMetrics
import Prometheus

/// The process's Prometheus registry. swift-metrics allows one bootstrap per process;
/// touching `registry` does it once. Metrics made before are no-ops, so the gateway
/// touches it before it creates its counters.
public enum MetricsExport {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
