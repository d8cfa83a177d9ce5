package dev.partitionkeeper.worker.chaos;

import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * "No archive written twice": the first time a manifest is seen, its bytes are remembered; a manifest that
 * later differs (or disappears) was rewritten. Looked at every few hundred milliseconds while passes run and
 * at every invariant check. A store that cannot be read (an outage the test caused) is skipped silently.
 */
public final class ArchiveWatch {
    private final ArchiveStore store;
    private final Map<String, String> firstSeen = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    public ArchiveWatch(ArchiveStore store) {
        this.store = store;
    }

    public synchronized void look() {
        List<String> keys;
        try {
            keys = store.list("");
        } catch (IOException | RuntimeException e) {
            return;
        }
        List<String> manifests =
                keys.stream().filter(k -> k.endsWith("/manifest.json")).toList();
        for (String key : manifests) {
            String digest;
            try (InputStream in = store.open(key)) {
                digest = sha256(in.readAllBytes());
            } catch (IOException | RuntimeException e) {
                continue;
            }
            String before = firstSeen.putIfAbsent(key, digest);
            if (before != null && !before.equals(digest)) {
                problems.add("manifest " + key + " was written twice (sha256 " + before + ", then " + digest + ")");
                firstSeen.put(key, digest);
            }
        }
        for (String key : firstSeen.keySet()) {
            if (!manifests.contains(key)) {
                problems.add("manifest " + key + " disappeared after it was complete");
            }
        }
    }

    synchronized int manifests() {
        return firstSeen.size();
    }

    synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
