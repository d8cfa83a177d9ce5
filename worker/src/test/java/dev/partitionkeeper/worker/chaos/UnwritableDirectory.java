package dev.partitionkeeper.worker.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Makes a directory tree unwritable for the worker process and back. As an ordinary user: {@code chmod a-w}.
 * As root (CI runs as root) permissions are ignored, so: {@code chattr -R +i} (immutable: even root cannot
 * create, rename or delete entries; existing files stay readable); where chattr fails (no
 * CAP_LINUX_IMMUTABLE, a filesystem without the attribute), the directory is moved aside and a plain file
 * put in its place, so every write under it fails, and so do reads.
 */
final class UnwritableDirectory {
    enum Method {
        CHMOD,
        CHATTR_IMMUTABLE,
        REPLACED_BY_FILE
    }

    private final Path dir;
    private Method method;

    UnwritableDirectory(Path dir) {
        this.dir = dir;
    }

    Method method() {
        return method;
    }

    Method make() throws Exception {
        setWritable(false);
        if (!writable()) {
            return method = Method.CHMOD;
        }
        setWritable(true); // permissions do not bind this user (root)
        if (run("chattr", "-R", "+i", dir.toString()) && !writable()) {
            return method = Method.CHATTR_IMMUTABLE;
        }
        run("chattr", "-R", "-i", dir.toString());
        Files.move(dir, aside());
        Files.writeString(dir, "the archive directory is unavailable (chaos test)\n");
        return method = Method.REPLACED_BY_FILE;
    }

    void undo() throws Exception {
        if (method == null) {
            return;
        }
        switch (method) {
            case CHMOD -> setWritable(true);
            case CHATTR_IMMUTABLE -> {
                if (!run("chattr", "-R", "-i", dir.toString())) {
                    throw new IllegalStateException("chattr -R -i " + dir + " failed");
                }
            }
            case REPLACED_BY_FILE -> {
                Files.delete(dir);
                Files.move(aside(), dir);
            }
        }
        method = null;
    }

    private Path aside() {
        return dir.resolveSibling(dir.getFileName() + ".unavailable");
    }

    /** Can a new file be created at the top of the tree? */
    private boolean writable() {
        Path probe = dir.resolve(".chaos-probe");
        try {
            Files.writeString(probe, "x");
            Files.delete(probe);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void setWritable(boolean writable) throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.walk(dir)) {
            dirs = s.filter(Files::isDirectory).toList();
        }
        for (Path d : dirs) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(writable ? "rwxr-xr-x" : "r-xr-xr-x"));
        }
    }

    private static boolean run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
