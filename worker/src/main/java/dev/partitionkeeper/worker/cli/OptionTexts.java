package dev.partitionkeeper.worker.cli;

import java.util.ListResourceBundle;

/**
 * The descriptions a shared option ({@link JsonOption}, {@link TableOption}) has in one command only, keyed by
 * the command's qualified name and the option's {@code descriptionKey}; elsewhere the option's own description
 * stands. Main names this bundle, so picocli looks here for every command.
 */
public final class OptionTexts extends ListResourceBundle {
    @Override
    protected Object[][] getContents() {
        return new Object[][] {
            {"partition-keeper.plan.json", "Print the plans as JSON."},
            {"partition-keeper.once.json", "Print the report as JSON."},
            {"partition-keeper.status.json", "Print the status as JSON."},
            {"partition-keeper.history.json", "Print the passes as JSON."},
            {"partition-keeper.maintain.table", "Only this table (repeatable; default: all)."},
        };
    }
}
