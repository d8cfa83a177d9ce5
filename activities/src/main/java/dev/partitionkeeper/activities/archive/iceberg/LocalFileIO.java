package dev.partitionkeeper.activities.archive.iceberg;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * Iceberg's {@link FileIO} on the local filesystem for {@code file:} locations and plain paths, without
 * Hadoop's (HadoopFileIO needs the Hadoop runtime, which the jar does not carry).
 */
public final class LocalFileIO implements FileIO {

    @Override
    public InputFile newInputFile(String location) {
        return org.apache.iceberg.Files.localInput(file(location));
    }

    @Override
    public OutputFile newOutputFile(String location) {
        return org.apache.iceberg.Files.localOutput(file(location));
    }

    @Override
    public void deleteFile(String location) {
        try {
            Files.deleteIfExists(file(location).toPath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + location + ": " + e.getMessage(), e);
        }
    }

    /** {@code file:/a}, {@code file:///a} and {@code /a} are the same file. */
    static File file(String location) {
        if (location.startsWith("file:")) {
            return Path.of(URI.create(location)).toFile();
        }
        return new File(location);
    }
}
