package dev.partitionkeeper.activities.archive.manifest;

import java.io.IOException;

/** There is no {@code manifest.json} where an archive was expected: it is absent or its export never finished. */
public class ArchiveIncompleteException extends IOException {
    private static final long serialVersionUID = 1L;

    public ArchiveIncompleteException(String location) {
        super("no manifest.json at " + location + ": there is no complete archive there (an export was interrupted,"
                + " is still running, or the location is wrong); run the export again or check the location");
    }
}
