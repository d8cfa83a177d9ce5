package dev.partitionkeeper.activities.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.export.UnexportableValueException;
import dev.partitionkeeper.workflows.activity.Failures;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

class ArchiveActivitiesImplTest {

    @Test
    void aValueNotExportableEvenAsTextIsNotRetried() {
        UnexportableValueException e = new UnexportableValueException(
                "amount",
                "column \"amount\" of public.t cannot be exported even in its text form: column \"amount\": NaN",
                null);

        ApplicationFailure f = ArchiveActivitiesImpl.unexportable(e);

        // before, an IllegalStateException: Temporal retried it for the archive steps' 24 hours
        assertTrue(f.isNonRetryable());
        assertEquals(Failures.UNEXPORTABLE_VALUE, f.getType());
        assertTrue(f.getOriginalMessage().contains("cannot be exported even in its text form"), f.getOriginalMessage());
        assertSame(e, f.getCause());
    }
}
