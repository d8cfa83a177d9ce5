package dev.partitionkeeper.activities.archive.column;

/** Chooses the {@link ValueKind} for a column from its type OID and typmod. */
final class TypeMapping {

    // pg_type OIDs of built-in types; stable across PostgreSQL versions
    static final long BOOL = 16;
    static final long BYTEA = 17;
    static final long NAME = 19;
    static final long INT8 = 20;
    static final long INT2 = 21;
    static final long INT4 = 23;
    static final long TEXT = 25;
    static final long JSON = 114;
    static final long FLOAT4 = 700;
    static final long FLOAT8 = 701;
    static final long BPCHAR = 1042;
    static final long VARCHAR = 1043;
    static final long DATE = 1082;
    static final long TIMESTAMP = 1114;
    static final long TIMESTAMPTZ = 1184;
    static final long NUMERIC = 1700;
    static final long UUID = 2950;
    static final long JSONB = 3802;

    /** PostgreSQL's VARHDRSZ, added to every numeric typmod. */
    private static final int VARHDRSZ = 4;

    private TypeMapping() {}

    record Mapping(ValueKind kind, int precision, int scale) {}

    static Mapping map(long typeOid, int typmod) {
        if (typeOid == NUMERIC) {
            return numeric(typmod);
        }
        ValueKind kind;
        if (typeOid == INT2) {
            kind = ValueKind.INT16;
        } else if (typeOid == INT4) {
            kind = ValueKind.INT32;
        } else if (typeOid == INT8) {
            kind = ValueKind.INT64;
        } else if (typeOid == FLOAT4) {
            kind = ValueKind.FLOAT32;
        } else if (typeOid == FLOAT8) {
            kind = ValueKind.FLOAT64;
        } else if (typeOid == BOOL) {
            kind = ValueKind.BOOLEAN;
        } else if (typeOid == TEXT || typeOid == VARCHAR || typeOid == BPCHAR || typeOid == NAME) {
            kind = ValueKind.STRING;
        } else if (typeOid == JSON || typeOid == JSONB) {
            kind = ValueKind.JSON;
        } else if (typeOid == DATE) {
            kind = ValueKind.DATE;
        } else if (typeOid == TIMESTAMP) {
            kind = ValueKind.TIMESTAMP;
        } else if (typeOid == TIMESTAMPTZ) {
            kind = ValueKind.TIMESTAMPTZ;
        } else if (typeOid == UUID) {
            kind = ValueKind.UUID;
        } else if (typeOid == BYTEA) {
            kind = ValueKind.BYTES;
        } else {
            kind = ValueKind.TEXT_FORM;
        }
        return new Mapping(kind, 0, 0);
    }

    /**
     * numeric(p,s) becomes an exact DECIMAL(p,s). Unconstrained numeric has no fixed scale (and may hold NaN
     * and infinities), and PostgreSQL 15+ allows scales below 0 or above the precision, which Parquet does
     * not: those travel as text.
     */
    private static Mapping numeric(int typmod) {
        if (typmod < VARHDRSZ) {
            return new Mapping(ValueKind.TEXT_FORM, 0, 0);
        }
        int tm = typmod - VARHDRSZ;
        int precision = (tm >> 16) & 0xffff;
        int scale = ((tm & 0x7ff) ^ 1024) - 1024; // sign-extend the 11-bit scale (PostgreSQL 15+)
        if (precision < 1 || scale < 0 || scale > precision) {
            return new Mapping(ValueKind.TEXT_FORM, 0, 0);
        }
        return new Mapping(ValueKind.DECIMAL, precision, scale);
    }
}
