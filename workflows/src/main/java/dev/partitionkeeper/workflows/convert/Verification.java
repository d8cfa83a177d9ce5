package dev.partitionkeeper.workflows.convert;

/** Source and target compared in one snapshot. */
public record Verification(String when, TableChecksum source, TableChecksum target, boolean ok) {

    public String describe() {
        return when + ": " + source.table() + " " + source.rows() + " rows, checksum " + source.checksum() + " vs "
                + target.table() + " " + target.rows() + " rows, checksum " + target.checksum()
                + (source.excluded() > 0
                        ? " (" + source.excluded() + " keys changed since the swap compared apart)"
                        : "")
                + (ok ? ": equal" : ": DIFFERENT");
    }
}
