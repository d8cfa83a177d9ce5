package dev.partitionkeeper.workflows.convert;

import java.util.List;

/** What a conversion, rollback or finish did, step by step. */
public record ConvertResult(
        String table,
        ConvertMode mode,
        String outcome,
        int partitions,
        CopyResult copy,
        long replayed,
        List<Verification> verifications,
        SwapResult swap,
        List<String> notes) {}
