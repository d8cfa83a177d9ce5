package dev.partitionkeeper.worker.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Gives every Temporal SDK meter an {@code update_name} tag. The SDK tags some meters of one name with
 * {@code update_name} (those about workflow updates) and others not; Prometheus needs one set of label
 * names per metric name, and Micrometer's Prometheus registry refuses the second shape, dropping those
 * samples. With the tag always present (empty when the SDK sets none) every shape is the same.
 */
final class TemporalMeterFilter implements MeterFilter {
    static final String PREFIX = "temporal_";
    static final String UPDATE_NAME = "update_name";
    /** Prometheus treats an empty label as an absent one, so queries without update_name still match. */
    static final String NONE = "";

    @Override
    public Meter.Id map(Meter.Id id) {
        if (id.getName().startsWith(PREFIX) && id.getTag(UPDATE_NAME) == null) {
            return id.withTag(Tag.of(UPDATE_NAME, NONE));
        }
        return id;
    }
}
