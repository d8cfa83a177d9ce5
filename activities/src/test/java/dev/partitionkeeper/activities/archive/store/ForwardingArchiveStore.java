package dev.partitionkeeper.activities.archive.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A store that forwards the operations every store must have to another one, for tests that disturb one of
 * them. The interface's default methods ({@code putFile}, {@code newLocalFile}, ...) are not forwarded, so they
 * go through this store's {@link #put} unless a test forwards them too.
 */
public class ForwardingArchiveStore implements ArchiveStore {
    protected final ArchiveStore delegate;

    public ForwardingArchiveStore(ArchiveStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public String location() {
        return delegate.location();
    }

    @Override
    public StoredObject put(String key, InputStream in) throws IOException {
        return delegate.put(key, in);
    }

    @Override
    public InputStream open(String key) throws IOException {
        return delegate.open(key);
    }

    @Override
    public boolean exists(String key) throws IOException {
        return delegate.exists(key);
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        return delegate.list(prefix);
    }

    @Override
    public void delete(String key) throws IOException {
        delegate.delete(key);
    }
}
